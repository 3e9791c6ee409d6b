/**
 * Runs tasks with the same key one after another, in arrival order, and tasks with different keys
 * concurrently. The consumer keys game events by game id, so two events of one game are never
 * processed at the same time even though up to PREFETCH messages are in flight.
 *
 * Memory is bounded by the number of tasks handed in: a key is forgotten once its last task settles.
 */
export class KeyedSerialExecutor {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly counts = new Map<string, number>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    this.counts.set(key, this.pending(key) + 1);
    void tail.then(() => {
      const left = this.pending(key) - 1;
      if (left === 0) this.counts.delete(key);
      else this.counts.set(key, left);
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Tasks of `key` running or waiting. */
  pending(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}
