import type { Logger } from '@retro/common';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { purgeDeleted } from '../data-access/archive-changes.js';
import { isMissingSchema } from '../data-access/db.js';

export interface ArchivePurgeOptions {
  pool: Pool;
  logger: Logger;
  /** Deleted messages stay restorable this long (DELETED_DEAD_LETTER_RETENTION_MS). */
  retentionMs: number;
  /** Time between two runs (HOUSEKEEPING_INTERVAL_MS). */
  intervalMs: number;
  /** Rows removed per statement: small, so a run never holds locks long enough to stall anyone. */
  batchSize?: number;
  /** Pause between two batches, leaving the database to the console and the archiver. */
  pauseMs?: number;
  /** Most batches in one run; the rest waits for the next run. */
  maxBatches?: number;
  /** Counts the rows removed. */
  onPurged?: (rows: number) => void;
}

/** One purge at a time over every producer (and every database client) of this database. */
const LOCK = 'retro_games_catalog.dead_letter_purge';

/**
 * Removes for good the dead letters deleted more than `retentionMs` ago, every `intervalMs`, in
 * small batches with pauses. Each producer runs it; a MySQL named lock lets one of them run at a
 * time, the others skip that round. The groups' counts left the rows when they were deleted, so
 * the purge only removes rows (their console audit entries stay, as for every action).
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
  async runOnce(now = new Date()): Promise<number | null> {
    const { pool, retentionMs, batchSize = 500, pauseMs = 20, maxBatches = 200 } = this.options;
    const connection = await pool.getConnection();
    try {
      const [[lock]] = await connection.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS got', [
        LOCK,
      ]);
      if (Number(lock?.got) !== 1) return null;
      try {
        const before = new Date(now.getTime() - retentionMs);
        let purged = 0;
        for (let batch = 0; batch < maxBatches && !this.stopped; batch++) {
          const rows = await purgeDeleted(connection, before, batchSize);
          purged += rows;
          this.options.onPurged?.(rows);
          if (rows < batchSize) break;
          await new Promise((resolve) => setTimeout(resolve, pauseMs));
        }
        if (purged > 0) this.options.logger.info('deleted dead letters purged', { purged });
        return purged;
      } finally {
        await connection.query('SELECT RELEASE_LOCK(?)', [LOCK]);
      }
    } finally {
      connection.release();
    }
  }
}
