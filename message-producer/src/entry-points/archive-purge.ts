import type { Logger } from '@retro/common';
import type { Pool, RowDataPacket } from 'mysql2/promise';
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
 * them run at a time, the others skip that round. Deleted rows left their groups' counts when
 * they were deleted, so their purge only removes rows.
 */
export class ArchivePurge {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(private readonly options: ArchivePurgeOptions) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.runOnce()
        .catch((error: unknown) => {
          // the archive's tables may not exist yet: the backend's migrations make them
          if (!isMissingSchema(error)) this.options.logger.warn('purge failed', { error });
        })
        .finally(() => (this.running = undefined));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** One run: the rows removed, or null when another producer holds the lock. */
  async runOnce(now = new Date()): Promise<PurgeResult | null> {
    const { pool, retentionMs, archiveRetentionMs, auditRetentionMs } = this.options;
    const connection = await pool.getConnection();
    try {
      const [[lock]] = await connection.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS got', [
        LOCK,
      ]);
      if (Number(lock?.got) !== 1) return null;
      try {
        const ago = (ms: number) => new Date(now.getTime() - ms);
        const purged = await this.inBatches((limit) =>
          purgeDeleted(connection, ago(retentionMs), limit),
        );
        this.options.onPurged?.(purged);
        const expired =
          archiveRetentionMs === undefined
            ? 0
            : await this.inBatches((limit) =>
                inTransaction(pool, (tx) => expireRows(tx, ago(archiveRetentionMs), limit)),
              );
        const audit =
          auditRetentionMs === undefined
            ? 0
            : await this.inBatches((limit) => pruneAudit(connection, ago(auditRetentionMs), limit));
        this.options.onPruned?.('dead_letters', expired);
        this.options.onPruned?.('dead_letter_audit', audit);
        if (purged + expired + audit > 0) {
          this.options.logger.info('dead-letter archive pruned', { purged, expired, audit });
        }
        return { purged, expired, audit };
      } finally {
        await connection.query('SELECT RELEASE_LOCK(?)', [LOCK]);
      }
    } finally {
      connection.release();
    }
  }

  /** Runs `step` (removes up to `limit` rows) until a batch comes back short, with pauses. */
  private async inBatches(step: (limit: number) => Promise<number>): Promise<number> {
    const { batchSize = 500, pauseMs = 20, maxBatches = 200 } = this.options;
    let removed = 0;
    for (let batch = 0; batch < maxBatches && !this.stopped; batch++) {
      const rows = await step(batchSize);
      removed += rows;
      if (rows < batchSize) break;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    return removed;
  }
}
