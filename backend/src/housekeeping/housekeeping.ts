import { pruneAuditLog, pruneExpiredSessions, type Logger } from '@retro/common';
import type { Pool, Row } from '../data-access/db.js';
import { foldClosedSlots } from '../data-access/counts-repo.js';
import * as prune from '../data-access/prune-repo.js';

export interface HousekeepingOptions {
  pool: Pool;
  logger: Logger;
  /** Published outbox rows older than this are pruned. */
  outboxRetentionMs: number;
  /** Completed and failed tasks unchanged for this long are pruned. */
  taskRetentionMs: number;
  /** Audit trail entries older than this are pruned (AUDIT_RETENTION_MS); kept when unset. */
  auditRetentionMs?: number;
  /** Sessions unused this long, or this old, are removed (SESSION_IDLE_MS, SESSION_MAX_MS). */
  session?: { idleMs: number; maxMs: number };
  /** Time between two runs. */
  intervalMs: number;
  /** Rows deleted per statement: small, so a run never holds locks long enough to stall the API. */
  batchSize?: number;
  /** Pause between two batches, leaving the database to the API. */
  pauseMs?: number;
  /** Most batches per table in one run; the rest waits for the next run. */
  maxBatches?: number;
  /** Counts pruned rows per table. */
  onPruned?: (
    table: 'outbox_events' | 'processing_tasks' | 'sessions' | 'audit_log',
    rows: number,
  ) => void;
}

const LOCK = 'retro_games_catalog.housekeeping';

/**
 * Prunes what the catalog no longer needs: published outbox rows past their retention (kept while
 * their task is failed or unfinished, so the retry action still finds them) and finished tasks
 * past theirs; audit entries past AUDIT_RETENTION_MS; expired sessions and closed sign-in failure
 * windows; folds the counter slots of closed connections (migration 007). Runs every `intervalMs` in small batches with pauses; with several backends, a
 * database lock lets one of them run at a time.
 */
export class Housekeeping {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: HousekeepingOptions) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.runOnce()
        .then(
          () => undefined,
          (error: unknown) => {
            this.options.logger.warn('housekeeping failed', { error });
          },
        )
        .finally(() => (this.running = undefined));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** One run; resolves with the rows pruned, or null when another instance holds the lock. */
  async runOnce(now = new Date()) {
    const { pool, outboxRetentionMs, taskRetentionMs } = this.options;
    const connection = await pool.getConnection();
    try {
      const [[lock]] = await connection.query<Row[]>('SELECT GET_LOCK(?, 0) AS got', [LOCK]);
      if (Number(lock?.got) !== 1) return null;
      try {
        const tasksBefore = new Date(now.getTime() - taskRetentionMs);
        const outboxBefore = new Date(now.getTime() - outboxRetentionMs);
        // tasks first: an outbox row whose failed task has just gone can go in the same run
        const tasks = await this.inBatches(
          (limit) => prune.prunableTasks(connection, tasksBefore, limit),
          (ids) => prune.deleteTasks(connection, ids, tasksBefore),
        );
        const outbox = await this.inBatches(
          (limit) => prune.prunableOutboxRows(connection, outboxBefore, limit),
          (ids) => prune.deleteOutboxRows(connection, ids),
        );
        // the counter rows of connections that have closed since the last run join the base
        await foldClosedSlots(connection, 'task_counts');
        await foldClosedSlots(connection, 'game_counts');
        const { session, auditRetentionMs } = this.options;
        const sessions = session
          ? await pruneExpiredSessions(connection, session.idleMs, session.maxMs)
          : 0;
        const auditBefore = new Date(now.getTime() - (auditRetentionMs ?? 0));
        const audit =
          auditRetentionMs === undefined
            ? 0
            : await this.inBatches(
                async (limit) => [await pruneAuditLog(connection, auditBefore, limit)],
                async ([deleted]) => deleted ?? 0,
              );
        this.options.onPruned?.('processing_tasks', tasks);
        this.options.onPruned?.('outbox_events', outbox);
        this.options.onPruned?.('sessions', sessions);
        this.options.onPruned?.('audit_log', audit);
        if (tasks + outbox + sessions + audit > 0) {
          this.options.logger.info('housekeeping pruned', { tasks, outbox, sessions, audit });
        }
        return { tasks, outbox, sessions, audit };
      } finally {
        await connection.query('SELECT RELEASE_LOCK(?)', [LOCK]);
      }
    } finally {
      connection.release();
    }
  }

  private async inBatches<T>(
    select: (limit: number) => Promise<T[]>,
    remove: (ids: T[]) => Promise<number>,
  ): Promise<number> {
    const { batchSize = 500, pauseMs = 20, maxBatches = 200 } = this.options;
    let pruned = 0;
    for (let batch = 0; batch < maxBatches && !this.stopped; batch++) {
      const ids = await select(batchSize);
      if (ids.length === 0) break;
      const removed = await remove(ids);
      pruned += removed;
      // a batch that deletes as it selects reports its rows as one count
      if (Math.max(ids.length, removed) < batchSize) break;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    return pruned;
  }
}
