import type { ProcessingTask } from '@retro/common';
import { versionOf } from './position.js';

/**
 * The newest state sent to viewers of each recently changed task, so that a state read earlier
 * (a catch-up query that ran while a newer change was being pushed, a notice that overtook
 * another) is never sent after it. Bounded: the tasks changed longest ago are forgotten first; a
 * forgotten task's next state counts as new, which at worst sends a state once more.
 */
export class LastSent {
  // message ids compare case-insensitively in the database: "Ab" and "ab" are one task
  private readonly versions = new Map<string, number>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.versions.size;
  }

  /** -1 when a newer state of the task was sent, 0 when this very state was, 1 otherwise. */
  compare(task: ProcessingTask): -1 | 0 | 1 {
    const sent = this.versions.get(task.messageId.toLowerCase());
    if (sent === undefined) return 1;
    const version = versionOf(task);
    return version < sent ? -1 : version === sent ? 0 : 1;
  }

  record(task: ProcessingTask): void {
    const key = task.messageId.toLowerCase();
    // re-inserted, so the map's order is the order of last change and eviction takes the oldest
    this.versions.delete(key);
    this.versions.set(key, versionOf(task));
    if (this.versions.size > this.limit) this.versions.delete(this.versions.keys().next().value!);
  }

  clear(): void {
    this.versions.clear();
  }
}
