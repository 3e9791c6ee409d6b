import type { AuditAction, AuditOrigin } from '@retro/common';
import type { Pool, PoolConnection } from 'mysql2/promise';
import {
  type ChangedRow,
  deleteRows,
  latestArchiveId,
  restoreRows,
} from '../data-access/archive-changes.js';
import type { DeadLetterFilter, PageCursor } from '../data-access/archive-filter.js';
import { closeAudit, openAudit, recordAffected } from '../data-access/audit-trail.js';
import { inTransaction } from '../data-access/db.js';
import type { ProducerMetrics } from '../metrics.js';
import type { ChangeLog } from './change-log.js';
import {
  type DeadLetterTarget,
  assertNarrowed,
  guard,
  resolveTarget,
  targetName,
} from './dead-letter-targets.js';

/** Rows changed per transaction: bounds how long a delete or restore holds its locks. */
const BATCH = 1000;

export interface DeletesDeps {
  pool: Pool;
  metrics: ProducerMetrics;
  changes: ChangeLog;
}

type BatchStep = (
  connection: PoolConnection,
  filter: DeadLetterFilter,
  cursor: PageCursor | undefined,
  limit: number,
) => Promise<ChangedRow[]>;

/**
 * Deletes and restores of archived messages. A delete is soft: the rows leave every list, count,
 * export and replay, and their groups' counts, but stay restorable by an operator until the purge
 * (ArchivePurge) removes them DELETED_DEAD_LETTER_RETENTION_MS later. Each writes the console's
 * audit entry with the rows it changed, and a row of the shared audit trail.
 */
export class DeadLetterDeletes {
  constructor(private readonly deps: DeletesDeps) {}

  /** Deletes the target's live rows archived so far, a batch per transaction. */
  async delete(target: DeadLetterTarget, origin: AuditOrigin) {
    assertNarrowed(target);
    const at = new Date();
    const deleted = await this.inBatches('delete', target, origin, false, (c, f, cursor, n) =>
      deleteRows(c, f, cursor, n, origin.actor, at),
    );
    this.deps.metrics.deleted.inc(deleted.count);
    return { deleted: deleted.count, auditId: deleted.auditId };
  }

  /** Brings the target's deleted rows back into the archive, a batch per transaction. */
  async restore(target: DeadLetterTarget, origin: AuditOrigin) {
    assertNarrowed(target);
    const restored = await this.inBatches('restore', target, origin, true, restoreRows);
    this.deps.metrics.restored.inc(restored.count);
    return { restored: restored.count, auditId: restored.auditId };
  }

  /**
   * Runs `step` over the target's rows, oldest parked first, recording each batch's rows with the
   * console's audit entry in the batch's own transaction. The shared trail gets one row at the
   * end, with how many rows changed (also when a batch failed half way: those before it stand).
   */
  private inBatches(
    action: Extract<AuditAction, 'delete' | 'restore'>,
    target: DeadLetterTarget,
    origin: AuditOrigin,
    deleted: boolean,
    step: BatchStep,
  ): Promise<{ count: number; auditId: number }> {
    const { pool, changes } = this.deps;
    return guard(async () => {
      // rows archived (or deleted) after this point are not the action's
      const filter = {
        ...(await resolveTarget(pool, target, deleted)),
        maxId: await latestArchiveId(pool),
      };
      const auditId = await openAudit(pool, action, origin, target);
      let count = 0;
      let cursor: PageCursor | undefined;
      let failure: unknown;
      try {
        for (;;) {
          const rows = await inTransaction(pool, async (connection) => {
            const batch = await step(connection, filter, cursor, BATCH);
            await recordAffected(connection, auditId, batch);
            return batch;
          });
          count += rows.length;
          const last = rows.at(-1);
          if (!last || rows.length < BATCH) break;
          cursor = { parkedAt: last.parkedAt, id: last.id };
        }
      } catch (error) {
        failure = error;
      }
      const outcome = action === 'delete' ? { deleted: count } : { restored: count };
      const error = failure instanceof Error ? failure.message : undefined;
      await closeAudit(pool, auditId, { ...outcome, ...(error && { error }) });
      await changes.record(origin, {
        action: `dead-letter.${action}`,
        target: targetName(target),
        detail: { request: target, ...outcome, consoleAuditId: auditId, ...(error && { error }) },
      });
      if (failure !== undefined) throw failure;
      return { count, auditId };
    });
  }
}
