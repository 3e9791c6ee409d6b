import {
  deletedRows,
  LockedSchedule,
  pruneAuditLog,
  pruneExpiredSessions,
  type Logger,
} from '@retro/common';
import type { Pool } from '../data-access/db.js';
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
  /**
   * Marks failed the unfinished tasks whose message the broker dead-lettered without a consumer's
   * report (failDeadLetteredTasks); returns how many.
   */
  failDeadLettered?: () => Promise<number>;
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
 * windows; folds the counter slots of closed connections (migration 007); and fails the tasks
 * whose message the broker dead-lettered by itself. Runs every `intervalMs` in small batches with
 * pauses; with several backends, a database lock lets one of them run at a time (LockedSchedule,
 * shared with the producer's archive purge).
 */
export class Housekeeping {
  private readonly schedule: LockedSchedule;

  constructor(private readonly options: HousekeepingOptions) {
    this.schedule = new LockedSchedule({
      ...options,
      lock: LOCK,
      onError: (error) => options.logger.warn('housekeeping failed', { error }),
    });
  }

  start(): void {
    this.schedule.start(() => this.runOnce());
  }

  stop(): Promise<void> {
    return this.schedule.stop();
  }

  /** One run; resolves with the rows pruned, or null when another instance holds the lock. */
  runOnce(now = new Date()) {
    const { outboxRetentionMs, taskRetentionMs, session, auditRetentionMs } = this.options;
    const ago = (ms: number) => new Date(now.getTime() - ms);
    return this.schedule.locked(async (connection) => {
      const tasksBefore = ago(taskRetentionMs);
      // tasks first: an outbox row whose failed task has just gone can go in the same run
      const tasks = await this.schedule.inBatches(async (limit) => {
        const ids = await prune.prunableTasks(connection, tasksBefore, limit);
        // a full select of either status may leave more of it
        return {
          removed: await prune.deleteTasks(connection, ids, tasksBefore),
          more: ids.length >= limit,
        };
      });
      const outboxBefore = ago(outboxRetentionMs);
      const outbox = await this.schedule.inBatches(async (limit) => {
        const ids = await prune.prunableOutboxRows(connection, outboxBefore, limit);
        return {
          removed: await prune.deleteOutboxRows(connection, ids),
          more: ids.length >= limit,
        };
      });
      // the counter rows of connections that have closed since the last run join the base
      await foldClosedSlots(connection, 'task_counts');
      await foldClosedSlots(connection, 'game_counts');
      const sessions = session
        ? await pruneExpiredSessions(connection, session.idleMs, session.maxMs)
        : 0;
      const audit =
        auditRetentionMs === undefined
          ? 0
          : await this.schedule.inBatches(async (limit) =>
              deletedRows(await pruneAuditLog(connection, ago(auditRetentionMs), limit), limit),
            );
      const deadLettered = (await this.options.failDeadLettered?.()) ?? 0;
      this.options.onPruned?.('processing_tasks', tasks);
      this.options.onPruned?.('outbox_events', outbox);
      this.options.onPruned?.('sessions', sessions);
      this.options.onPruned?.('audit_log', audit);
      if (tasks + outbox + sessions + audit > 0) {
        this.options.logger.info('housekeeping pruned', { tasks, outbox, sessions, audit });
      }
      return { tasks, outbox, sessions, audit, deadLettered };
    });
  }
}
