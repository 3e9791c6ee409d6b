import type { Logger, ProcessingTask } from '@retro/common';
import type { Pool } from '../data-access/db.js';
import { databaseNow, type ChangePosition } from '../data-access/tasks-repo.js';
import { changePages, overlapping } from './change-order.js';
import { comesAfter, positionOf } from './position.js';

export interface CatchUpOptions {
  pool: Pool;
  logger: Logger;
  stalledAfterMs: number;
  /** Rows one run reads at most; further behind than that, viewers re-read their lists instead. */
  maxRows: number;
  /** Whether anyone watches; a run stops as soon as nobody does. */
  watched(): boolean;
  /** Sends the states no viewer was sent yet; returns how many were new. */
  send(tasks: ProcessingTask[]): number;
  /** Tells every viewer to re-read its list, as of `now`. */
  reloadAll(now: Date): void;
  onRowsRead(rows: number): void;
  /** Changes found that no notice had brought (lost, or still on their way). */
  onRepaired(count: number): void;
}

/**
 * The feed's repair of lost notices: while anyone watches, reads the change order from where it
 * last got to (minus the overlap) and sends what no notice brought. Runs on a timer and after
 * every reconnect to the broker; runs never overlap, and one asked for during a run follows it.
 */
export class CatchUp {
  /** How far the change order has been read; set while anyone watches. */
  private cursor: ChangePosition | undefined;
  /** Where the cursor started: changes before it were made while nobody watched here. */
  private since: ChangePosition | undefined;
  private running = false;
  private again = false;

  constructor(private readonly options: CatchUpOptions) {}

  /** Runs now, or once more right after the run in progress (which may have read too early). */
  soon(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void (async () => {
      do {
        this.again = false;
        await this.run().catch((error: unknown) =>
          this.options.logger.warn('live stream catch-up failed', { error }),
        );
      } while (this.again);
      this.running = false;
    })();
  }

  /** Nobody watches any more: the next viewer starts from the database's now. */
  reset(): void {
    this.cursor = this.since = undefined;
  }

  private async run(): Promise<void> {
    const { pool, stalledAfterMs } = this.options;
    if (!this.options.watched()) return;
    if (!this.cursor) {
      const now = await databaseNow(pool);
      // the last viewer may have left meanwhile: the next one must start from its own now
      if (this.options.watched()) this.cursor = this.since = { at: now, messageId: '' };
      return;
    }
    let read = 0;
    for await (const page of changePages(pool, overlapping(this.cursor), stalledAfterMs)) {
      if (!this.cursor || !this.since || !this.options.watched()) return;
      this.options.onRowsRead(page.length);
      // rows from before anyone watched are sent (a viewer's list may predate their commit) but
      // are no sign of lost notices
      const since = this.since;
      const split = page.findIndex((task) => comesAfter(positionOf(task), since));
      this.options.send(split < 0 ? page : page.slice(0, split));
      if (split >= 0) this.options.onRepaired(this.options.send(page.slice(split)));
      const last = page.at(-1);
      if (last && comesAfter(positionOf(last), this.cursor)) this.cursor = positionOf(last);
      read += page.length;
      if (read >= this.options.maxRows) {
        // far behind (a long broker outage under load): cheaper for every viewer to re-read
        const now = await databaseNow(pool);
        this.cursor = this.since = { at: now, messageId: '' };
        this.options.reloadAll(now);
        return;
      }
    }
  }
}
