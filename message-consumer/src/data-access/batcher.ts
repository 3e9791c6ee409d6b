/** An item waiting for its batch's answer. */
interface Waiting<T, R> {
  item: T;
  size: number;
  resolve(result: R): void;
  reject(error: Error): void;
}

export interface BatcherOptions<T, R> {
  /**
   * Sends a batch; answers one result or Error per item, in order. Throwing fails every item of
   * the batch with that error.
   */
  send(items: T[]): Promise<Array<R | Error>>;
  /** How long an item waits for others to share its request (only while one is in flight). */
  windowMs: number;
  /** Most items in one request. */
  maxItems: number;
  /** Most bytes (as `sizeOf` counts them) in one request. */
  maxBytes: number;
  sizeOf(item: T): number;
}

/** An item added to a batcher, with the means to change it while it still waits. */
export interface Queued<T, R> {
  /** The result of the item as it was sent. */
  result: Promise<R>;
  /**
   * Puts `item` in the place of the one waiting, if it has not been sent yet: `result` then
   * answers for `item`. False once the request carrying it has gone.
   */
  replace(item: T): boolean;
}

/**
 * Coalesces items into batches. With nothing in flight an item goes at once (in the same tick's
 * batch), so a quiet caller adds no delay; while a request is in flight, items wait up to
 * `windowMs` (or until `maxItems` wait, or the request answers) and go together. Each caller gets
 * its own result or error.
 */
export class Batcher<T, R> {
  private waiting: Waiting<T, R>[] = [];
  private waitingBytes = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;

  constructor(private readonly options: BatcherOptions<T, R>) {}

  add(item: T): Promise<R> {
    return this.enqueue(item).result;
  }

  /** Adds `item`; unlike `add`, the item can still be replaced until its request goes. */
  enqueue(item: T): Queued<T, R> {
    let entry!: Waiting<T, R>;
    const result = new Promise<R>((resolve, reject) => {
      const size = this.options.sizeOf(item);
      if (this.waitingBytes + size > this.options.maxBytes) this.flush();
      entry = { item, size, resolve, reject };
      this.waiting.push(entry);
      this.waitingBytes += size;
      this.schedule();
    });
    return {
      result,
      replace: (next) => {
        if (!this.waiting.includes(entry)) return false;
        const size = this.options.sizeOf(next);
        this.waitingBytes += size - entry.size;
        entry.item = next;
        entry.size = size;
        if (this.waitingBytes > this.options.maxBytes) this.flush();
        return true;
      },
    };
  }

  /** Fails every waiting item with `error`. */
  close(error: Error): void {
    this.clearTimers();
    for (const w of this.waiting) w.reject(error);
    this.waiting = [];
    this.waitingBytes = 0;
  }

  private schedule(): void {
    if (this.waiting.length === 0) return;
    if (this.waiting.length >= this.options.maxItems) this.flush();
    else if (this.inFlight === 0) this.immediate ??= setImmediate(() => this.flush());
    else this.timer ??= setTimeout(() => this.flush(), this.options.windowMs);
  }

  private flush(): void {
    this.clearTimers();
    if (this.waiting.length === 0) return;
    const batch = this.waiting;
    this.waiting = [];
    this.waitingBytes = 0;
    this.inFlight += 1;
    void this.deliver(batch).finally(() => {
      this.inFlight -= 1;
      this.schedule();
    });
  }

  private async deliver(batch: Waiting<T, R>[]): Promise<void> {
    let results: Array<R | Error>;
    try {
      results = await this.options.send(batch.map((w) => w.item));
    } catch (error) {
      for (const w of batch) w.reject(error as Error);
      return;
    }
    batch.forEach((w, i) => {
      const result = results[i]!;
      if (result instanceof Error) w.reject(result);
      else w.resolve(result);
    });
  }

  private clearTimers(): void {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
  }
}
