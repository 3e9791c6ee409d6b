import { deletedRows, LockedSchedule, type Logger } from '@retro/common';
import type { Pool } from 'mysql2/promise';
import { expireRows, purgeDeleted } from '../data-access/archive-changes.js';
import { pruneAudit } from '../data-access/audit-trail.js';
import { inTransaction, isMissingSchema } from '../data-access/db.js';

export interface ArchivePurgeOptions {
  pool: Pool;
  logger: Logger;
  /** Deleted messages stay restorable this long (DELETED_DEAD_LETTER_RETENTION_MS). */
  retentionMs: number;
  /** Archived messages parked longer ago than this leave for good (DEAD_LETTER_RETENTION_MS). */
  archiveRetentionMs?: number;
  /** Console audit entries older than this are pruned (AUDIT_RETENTION_MS). */
  auditRetentionMs?: number;
  /** Time between two runs (HOUSEKEEPING_INTERVAL_MS). */
  intervalMs: number;
  /** Rows removed per statement: small, so a run never holds locks long enough to stall anyone. */
  batchSize?: number;
  /** Pause between two batches, leaving the database to the console and the archiver. */
  pauseMs?: number;
  /** Most batches per kind of row in one run; the rest waits for the next run. */
  maxBatches?: number;
  /** Counts the deleted messages removed. */
  onPurged?: (rows: number) => void;
  /** Counts the rows removed by their retention, per table. */
  onPruned?: (table: 'dead_letters' | 'dead_letter_audit', rows: number) => void;
}

/** What one run removed: deleted messages, expired live ones, console audit entries. */
export interface PurgeResult {
  purged: number;
  expired: number;
  audit: number;
}

/** One purge at a time over every producer (and every database client) of this database. */
const LOCK = 'retro_games_catalog.dead_letter_purge';

/**
 * The archive's housekeeping, every `intervalMs`, in small batches with pauses: removes for good
 * the dead letters deleted more than `retentionMs` ago, the live ones parked more than
 * `archiveRetentionMs` ago (off their groups' counts in the same transaction), and console audit
 * entries older than `auditRetentionMs`. Each producer runs it; a MySQL named lock lets one of
 * them run at a time, the others skip that round (LockedSchedule, as the backend's housekeeping). Deleted rows left their groups' counts when
 * they were deleted, so their purge only removes rows.
 */
export class ArchivePurge {
  private readonly schedule: LockedSchedule;

  constructor(private readonly options: ArchivePurgeOptions) {
    this.schedule = new LockedSchedule({
      ...options,
      lock: LOCK,
      onError: (error) => {
        // the archive's tables may not exist yet: the backend's migrations make them
        if (!isMissingSchema(error)) options.logger.warn('purge failed', { error });
      },
    });
  }

  start(): void {
    this.schedule.start(() => this.runOnce());
  }

  stop(): Promise<void> {
    return this.schedule.stop();
  }

  /** One run: the rows removed, or null when another producer holds the lock. */
  runOnce(now = new Date()): Promise<PurgeResult | null> {
    const { pool, retentionMs, archiveRetentionMs, auditRetentionMs } = this.options;
    const ago = (ms: number) => new Date(now.getTime() - ms);
    const { schedule } = this;
    return schedule.locked(async (connection) => {
      const purged = await schedule.inBatches(async (limit) =>
        deletedRows(await purgeDeleted(connection, ago(retentionMs), limit), limit),
      );
      this.options.onPurged?.(purged);
      const expired =
        archiveRetentionMs === undefined
          ? 0
          : await schedule.inBatches(async (limit) => {
              const rows = await inTransaction(pool, (tx) =>
                expireRows(tx, ago(archiveRetentionMs), limit),
              );
              return deletedRows(rows, limit);
            });
      const audit =
        auditRetentionMs === undefined
          ? 0
          : await schedule.inBatches(async (limit) =>
              deletedRows(await pruneAudit(connection, ago(auditRetentionMs), limit), limit),
            );
      this.options.onPruned?.('dead_letters', expired);
      this.options.onPruned?.('dead_letter_audit', audit);
      if (purged + expired + audit > 0) {
        this.options.logger.info('dead-letter archive pruned', { purged, expired, audit });
      }
      return { purged, expired, audit };
    });
  }
}
