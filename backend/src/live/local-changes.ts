import type { Logger, ProcessingTask } from '@retro/common';

/** Changes waiting for the next batch; past this, more are dropped (the catch-up repairs them). */
const MAX_WAITING = 20_000;
/** Tasks per notice: keeps one message, and one read-back query, of a sensible size. */
const MAX_BATCH = 500;

export interface LocalChangesOptions {
  /** Whether anyone watches: when nobody does, changes are not even gathered. */
  wanted(): boolean;
  /** Reads the current state of tasks written without being read (one query per batch). */
  readBack(messageIds: string[]): Promise<ProcessingTask[]>;
  /** One batch of task states, in commit order: send to this instance's viewers and publish. */
  onBatch(tasks: ProcessingTask[]): void;
  logger: Logger;
}

/**
 * The task changes this instance commits, gathered over one turn of the event loop and handed on
 * as one batch. Under load many requests commit in the same turn, so their changes travel as one
 * notice, and the pending tasks of catalog writes are read back with one query per batch instead
 * of one per write. Batches go out one after another, in commit order.
 */
export class LocalChanges {
  private items: Array<ProcessingTask | string> = [];
  private scheduled = false;
  private running: Promise<void> = Promise.resolve();
  private dropping = false;

  constructor(private readonly options: LocalChangesOptions) {}

  /** Task states a commit wrote, as the use case knows them. */
  changed(tasks: ProcessingTask[]): void {
    for (const task of tasks) this.add(task);
  }

  /** A task a commit wrote, whose state is to be read back. */
  written(messageId: string): void {
    this.add(messageId);
  }

  /** Resolves once every change handed in so far has been passed on (before shutting down). */
  async flushed(): Promise<void> {
    // the scheduled batch starts in a setImmediate callback queued before this one
    if (this.scheduled) await new Promise((resolve) => setImmediate(resolve));
    await this.running;
  }

  private add(item: ProcessingTask | string): void {
    if (!this.options.wanted()) return;
    if (this.items.length >= MAX_WAITING) {
      if (!this.dropping) {
        this.options.logger.warn(
          'live stream falling behind; task changes dropped until it catches up',
        );
      }
      this.dropping = true;
      return;
    }
    this.dropping = false;
    this.items.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.running = this.running.then(() => this.flush());
    });
  }

  private async flush(): Promise<void> {
    while (this.items.length > 0) {
      const batch = this.items.splice(0, MAX_BATCH);
      const ids = batch.filter((item): item is string => typeof item === 'string');
      let read = new Map<string, ProcessingTask>();
      if (ids.length > 0) {
        try {
          const tasks = await this.options.readBack(ids);
          read = new Map(tasks.map((t) => [t.messageId.toLowerCase(), t]));
        } catch (error) {
          // the tasks are committed: the feed's catch-up finds them
          this.options.logger.warn('could not read changed tasks back for the live stream', {
            error,
          });
        }
      }
      const tasks = batch.flatMap((item) => {
        if (typeof item !== 'string') return [item];
        const task = read.get(item.toLowerCase());
        return task ? [task] : [];
      });
      if (tasks.length > 0) this.options.onBatch(tasks);
    }
  }
}
