import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';

/** How a pruning run deletes: small statements with pauses, so it never stalls anyone. */
export interface BatchLimits {
  /** Rows per statement. */
  batchSize?: number;
  /** Pause between two statements, leaving the database to the requests. */
  pauseMs?: number;
  /** Most statements per kind of row in one run; the rest waits for the next run. */
  maxBatches?: number;
}

/** What one statement did: rows removed, and whether a full batch suggests more are left. */
export interface BatchOutcome {
  removed: number;
  more: boolean;
}

export interface LockedScheduleOptions extends BatchLimits {
  pool: Pool;
  /** The MySQL named lock: one holder at a time over every instance of every service. */
  lock: string;
  /** Time between two runs. */
  intervalMs: number;
  /** A run that failed; the next one comes at its time. */
  onError(error: unknown): void;
}

/**
 * The skeleton of a periodic pruning job (the backend's housekeeping, the producer's archive
 * purge): a run every `intervalMs`, never two at once in a process, each under a MySQL named lock
 * taken without waiting (another instance holding it means this one skips its round), deleting
 * in bounded batches with pauses, and a stop that waits for the run in progress.
 */
export class LockedSchedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopping = false;

  constructor(private readonly options: LockedScheduleOptions) {}

  start(run: () => Promise<unknown>): void {
    this.timer = setInterval(() => {
      this.running ??= run()
        .catch((error: unknown) => this.options.onError(error))
        .finally(() => (this.running = undefined));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Runs `fn` holding the lock, on a connection of its own; null when another holds it. */
  async locked<T>(fn: (connection: PoolConnection) => Promise<T>): Promise<T | null> {
    const connection = await this.options.pool.getConnection();
    try {
      const [[lock]] = await connection.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS got', [
        this.options.lock,
      ]);
      if (Number(lock?.got) !== 1) return null;
      try {
        return await fn(connection);
      } finally {
        await connection.query('SELECT RELEASE_LOCK(?)', [this.options.lock]);
      }
    } finally {
      connection.release();
    }
  }

  /** Runs `step` (removes up to `limit` rows) until nothing more is left, with pauses. */
  async inBatches(step: (limit: number) => Promise<BatchOutcome>): Promise<number> {
    const { batchSize = 500, pauseMs = 20, maxBatches = 200 } = this.options;
    let removed = 0;
    for (let batch = 0; batch < maxBatches && !this.stopping; batch++) {
      const outcome = await step(batchSize);
      removed += outcome.removed;
      if (!outcome.more) break;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    return removed;
  }
}

/** The outcome of a statement that deletes as it selects: full means more may be left. */
export const deletedRows = (removed: number, limit: number): BatchOutcome => ({
  removed,
  more: removed >= limit,
});
