import { randomUUID } from 'node:crypto';
import { AppError, type AuditOrigin, type Logger } from '@retro/common';
import type { Pool } from 'mysql2/promise';
import { latestArchiveId, lockRow, markReplayed } from '../data-access/archive-changes.js';
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
import { closeAudit, listAudit, openAudit, recordAffected } from '../data-access/audit-trail.js';
import { planBodySearch } from '../data-access/body-search.js';
import type { Broker } from '../data-access/broker.js';
import { listQuarantine } from '../data-access/quarantine.js';
import { inTransaction } from '../data-access/db.js';
import type { ProducerMetrics } from '../metrics.js';
import type { ChangeLog } from './change-log.js';
import { type DeadLetterTarget, guard, resolveTarget } from './dead-letter-targets.js';
import { type MessageEdit, editedCopy } from './replay-copy.js';
import type { ReplayJob, ReplayJobs } from './replay-jobs.js';

export type { DeadLetterTarget } from './dead-letter-targets.js';

export interface ConsoleDeps {
  pool: Pool;
  broker: Broker;
  jobs: ReplayJobs;
  metrics: ProducerMetrics;
  changes: ChangeLog;
  logger: Logger;
}

export interface ReplayOptions {
  rate: number;
  includeReplayed: boolean;
  onReplayed?: (ids: string[]) => void;
  /** The shared audit trail's action: `dead-letter.replay`, or the first DLQ API's `dlq.replay`. */
  action?: string;
}

/**
 * The dead-letter console's reads, replays and edits over the archive's live rows (deletes and
 * restores: DeadLetterDeletes). Every replay and edit writes the console's audit entry first and
 * records the rows it touched in the same transaction that touches them, and a row of the shared
 * audit trail, both with the signed-in account as the actor.
 */
export class DeadLetterConsole {
  constructor(private readonly deps: ConsoleDeps) {}

  /** A page of live messages, or of deleted ones (`filter.deleted`, an operator's list). */
  async list(filter: DeadLetterFilter, limit: number, cursor?: PageCursor) {
    const { pool } = this.deps;
    return guard(async () => {
      const planned = await planBodySearch(pool, filter);
      const [page, total] = await Promise.all([
        listDeadLetters(pool, planned, limit, cursor),
        countDeadLetters(pool, planned),
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
    const pages = streamDeadLetters(
      this.deps.pool,
      await guard(() => planBodySearch(this.deps.pool, filter)),
    );
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
    options: ReplayOptions,
    origin: AuditOrigin,
  ): Promise<{ job: ReplayJob; done: Promise<ReplayJob> }> {
    const { pool, broker, jobs, changes } = this.deps;
    if (!broker.isConnected()) throw AppError.unavailable('The message broker is unreachable');
    const started = await guard(async () => {
      const filter = await resolveTarget(pool, target);
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
      const auditId = await openAudit(pool, 'replay', origin, request, jobId);
      try {
        const { rate, onReplayed } = options;
        const run = jobs.start({
          jobId,
          filter: snapshot,
          target,
          rate,
          total,
          auditId,
          by: origin.actor,
          onReplayed,
        });
        return { run, request, auditId };
      } catch (error) {
        // another request took the last free slot in between: the entry says it never ran
        await closeAudit(pool, auditId, { jobId, status: 'not started', replayed: 0 });
        throw error;
      }
    });
    const { run, request, auditId } = started;
    await changes.recordDone(origin, {
      action: options.action ?? 'dead-letter.replay',
      target: `replay:${run.job.jobId}`,
      detail: { request, total: run.job.total, consoleAuditId: auditId },
    });
    return run;
  }

  /** Asks a running replay to stop after its current batch (404 for a job this service lacks). */
  async cancelReplay(jobId: string, origin: AuditOrigin): Promise<ReplayJob> {
    const { jobs, changes } = this.deps;
    const job = jobs.get(jobId);
    if (!job) throw AppError.notFound(`Replay job ${jobId}`);
    if (jobs.cancel(job.jobId)) {
      await guard(() =>
        changes.record(origin, {
          action: 'dead-letter.replay-cancel',
          target: `replay:${job.jobId}`,
          detail: { replayed: job.replayed, total: job.total },
        }),
      );
    }
    return jobs.get(job.jobId)!;
  }

  /**
   * Publishes a corrected copy of one archived message under a new message id (`x-replay-of`
   * names the original) and marks the original replayed, in one transaction that holds the row:
   * the original is marked only after the broker confirmed and routed the copy.
   */
  async editAndReplay(id: number, edit: MessageEdit, origin: AuditOrigin) {
    const { pool, broker, metrics, changes } = this.deps;
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
          await markReplayed(
            connection,
            [{ id, messageId: row.messageId, sentAs: messageId }],
            origin.actor,
          );
          const request = { id, body: edit.text, ...(edit.headers && { headers: edit.headers }) };
          const auditId = await openAudit(connection, 'edit-and-replay', origin, request);
          await recordAffected(connection, auditId, [{ id, messageId: row.messageId }]);
          const outcome = { messageId, replayOf: row.messageId };
          await closeAudit(connection, auditId, outcome);
          await changes.record(
            origin,
            {
              action: 'dead-letter.edit-and-replay',
              target: `dead-letter:${id}`,
              detail: { ...outcome, consoleAuditId: auditId },
            },
            connection,
          );
          return { ...outcome, deadLetterId: id, auditId, queue: broker.queues.main };
        },
        1, // the copy is out: running the transaction again would publish a second one
      ),
    );
    metrics.replayed.inc();
    return result;
  }
}
