import { randomUUID } from 'node:crypto';
import { AppError, type Logger } from '@retro/common';
import type { Pool } from 'mysql2/promise';
import {
  deleteRows,
  latestArchiveId,
  lockRow,
  markReplayed,
  missingIds,
} from '../data-access/archive-changes.js';
import type { DeadLetterFilter, PageCursor } from '../data-access/archive-filter.js';
import {
  type GroupSort,
  countDeadLetters,
  findDeadLetter,
  listDeadLetters,
  listGroups,
  streamDeadLetters,
} from '../data-access/archive-reads.js';
import type { DeadLetter } from '../data-access/archive-rows.js';
import {
  type AuditClient,
  closeAudit,
  listAudit,
  openAudit,
  recordAffected,
} from '../data-access/audit-trail.js';
import type { Broker } from '../data-access/broker.js';
import { listQuarantine } from '../data-access/quarantine.js';
import { archiveUnavailable, inTransaction } from '../data-access/db.js';
import type { ProducerMetrics } from '../metrics.js';
import { type MessageEdit, editedCopy } from './replay-copy.js';
import type { ReplayJob, ReplayJobs } from './replay-jobs.js';

/** The rows an action is about: named ones, a failure group, or whatever a filter matches. */
export type DeadLetterTarget = { ids: number[] } | { group: string } | { filter: DeadLetterFilter };

/** Rows deleted per transaction: bounds how long a delete holds its locks. */
const DELETE_BATCH = 1000;

export interface ConsoleDeps {
  pool: Pool;
  broker: Broker;
  jobs: ReplayJobs;
  metrics: ProducerMetrics;
  logger: Logger;
}

/**
 * The dead-letter console's use cases over the archive. Every replay, edit and delete writes an
 * audit entry first and records the rows it touched in the same transaction that touches them.
 */
export class DeadLetterConsole {
  constructor(private readonly deps: ConsoleDeps) {}

  async list(filter: DeadLetterFilter, limit: number, cursor?: PageCursor) {
    const { pool } = this.deps;
    return guard(async () => {
      const [page, total] = await Promise.all([
        listDeadLetters(pool, filter, limit, cursor),
        countDeadLetters(pool, filter),
      ]);
      return { ...page, total };
    });
  }

  groups(query: { sort: GroupSort; limit: number; offset: number }) {
    return guard(() => listGroups(this.deps.pool, query));
  }

  async get(id: number): Promise<DeadLetter> {
    const row = await guard(() => findDeadLetter(this.deps.pool, id));
    if (!row) throw AppError.notFound(`Dead letter ${id}`);
    return row;
  }

  /** Pages of full rows, newest first, for an NDJSON export. */
  async *export(filter: DeadLetterFilter): AsyncGenerator<DeadLetter[]> {
    const pages = streamDeadLetters(this.deps.pool, filter);
    for (;;) {
      const next = await guard(() => pages.next());
      if (next.done) return;
      yield next.value;
    }
  }

  audit(query: Parameters<typeof listAudit>[1]) {
    return guard(() => listAudit(this.deps.pool, query));
  }

  /** Parked messages the archive refused, newest first (read-only: nothing acts on them). */
  quarantined(query: Parameters<typeof listQuarantine>[1]) {
    return guard(() => listQuarantine(this.deps.pool, query));
  }

  /**
   * Starts a replay job over the target's rows archived so far, skipping rows already replayed
   * unless `includeReplayed`. Answers at once with the job; `done` settles when it has ended.
   */
  async replay(
    target: DeadLetterTarget,
    options: { rate: number; includeReplayed: boolean; onReplayed?: (ids: string[]) => void },
    client: AuditClient,
  ): Promise<{ job: ReplayJob; done: Promise<ReplayJob> }> {
    const { pool, broker, jobs } = this.deps;
    if (!broker.isConnected()) throw AppError.unavailable('The message broker is unreachable');
    return guard(async () => {
      const filter = await this.resolve(target);
      if (filter.replayed === true && !options.includeReplayed) {
        throw AppError.validation([
          {
            field: 'includeReplayed',
            message: 'must be true to replay messages that were replayed before',
          },
        ]);
      }
      const snapshot: DeadLetterFilter = {
        ...filter,
        replayed: options.includeReplayed ? filter.replayed : false,
        maxId: await latestArchiveId(pool),
      };
      const total = await countDeadLetters(pool, snapshot);
      jobs.assertCapacity();
      const jobId = randomUUID();
      const request = { ...target, rate: options.rate, includeReplayed: options.includeReplayed };
      const auditId = await openAudit(pool, 'replay', client, request, jobId);
      try {
        const { rate, onReplayed } = options;
        return jobs.start({ jobId, filter: snapshot, target, rate, total, auditId, onReplayed });
      } catch (error) {
        // another request took the last free slot in between: the entry says it never ran
        await closeAudit(pool, auditId, { jobId, status: 'not started', replayed: 0 });
        throw error;
      }
    });
  }

  /**
   * Publishes a corrected copy of one archived message under a new message id (`x-replay-of`
   * names the original) and marks the original replayed, in one transaction that holds the row:
   * the original is marked only after the broker confirmed and routed the copy.
   */
  async editAndReplay(id: number, edit: MessageEdit, client: AuditClient) {
    const { pool, broker, metrics } = this.deps;
    if (!broker.isConnected()) throw AppError.unavailable('The message broker is unreachable');
    const result = await guard(() =>
      inTransaction(
        pool,
        async (connection) => {
          const row = await lockRow(connection, id);
          if (!row) throw AppError.notFound(`Dead letter ${id}`);
          const copy = editedCopy(row, edit);
          const messageId = copy.properties.messageId;
          await broker.send(broker.queues.main, copy.content, copy.properties);
          await markReplayed(connection, [{ id, messageId: row.messageId, sentAs: messageId }]);
          const request = { id, body: edit.text, ...(edit.headers && { headers: edit.headers }) };
          const auditId = await openAudit(connection, 'edit-and-replay', client, request);
          await recordAffected(connection, auditId, [{ id, messageId: row.messageId }]);
          const outcome = { messageId, replayOf: row.messageId };
          await closeAudit(connection, auditId, outcome);
          return { ...outcome, deadLetterId: id, auditId, queue: broker.queues.main };
        },
        1, // the copy is out: running the transaction again would publish a second one
      ),
    );
    metrics.replayed.inc();
    return result;
  }

  /** Deletes the target's rows archived so far, a batch per transaction; answers how many. */
  async delete(target: DeadLetterTarget, client: AuditClient) {
    const { pool, metrics } = this.deps;
    return guard(async () => {
      const filter = { ...(await this.resolve(target)), maxId: await latestArchiveId(pool) };
      const auditId = await openAudit(pool, 'delete', client, target);
      let deleted = 0;
      let cursor: PageCursor | undefined;
      for (;;) {
        const rows = await inTransaction(pool, async (connection) => {
          const batch = await deleteRows(connection, filter, cursor, DELETE_BATCH);
          await recordAffected(connection, auditId, batch);
          return batch;
        });
        deleted += rows.length;
        metrics.deleted.inc(rows.length);
        const last = rows.at(-1);
        if (!last || rows.length < DELETE_BATCH) break;
        cursor = { parkedAt: last.parkedAt, id: last.id };
      }
      await closeAudit(pool, auditId, { deleted });
      return { deleted, auditId };
    });
  }

  /** The filter for a target: 404 for ids not archived or a group that holds nothing. */
  private async resolve(target: DeadLetterTarget): Promise<DeadLetterFilter> {
    if ('ids' in target) {
      const missing = await missingIds(this.deps.pool, target.ids);
      if (missing.length > 0) {
        throw new AppError('NOT_FOUND', 404, `No dead letters with ids ${missing.join(', ')}`, [
          { field: 'ids', message: `not archived: ${missing.join(', ')}` },
        ]);
      }
      return { ids: target.ids };
    }
    if ('group' in target) {
      if ((await countDeadLetters(this.deps.pool, { group: target.group })) === 0) {
        throw AppError.notFound(`Dead-letter group ${target.group}`);
      }
      return { group: target.group };
    }
    return target.filter;
  }
}

/** Database failures as the API should say them (archive not set up, MySQL away). */
async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw archiveUnavailable(error);
  }
}
