import { EventEmitter } from 'node:events';
import { DownstreamError, type DownstreamCause, errorMessage } from './failures.js';

/** Why the circuit is open, as `/health` shows it. */
export interface CircuitTrip {
  cause: DownstreamCause;
  reason: string;
  since: Date;
}

export interface CircuitBreakerEvents {
  /** The backend failed: stop taking deliveries. */
  open: [CircuitTrip];
  /** A probe succeeded: take deliveries again. */
  close: [];
}

export interface CircuitBreakerOptions {
  /** Resolves when the backend can take status reports again; throws a DownstreamError if not. */
  probe: () => Promise<void>;
  /** First wait before probing; doubled after each failed probe. */
  minDelayMs?: number;
  /** Longest wait between two probes. */
  maxDelayMs?: number;
}

/**
 * Guards the backend the consumer reports to. Closed, deliveries flow. The first DownstreamError
 * opens it: listeners pause consuming and hand unfinished messages back, and the breaker probes the
 * backend with capped exponential backoff until a probe passes, then closes.
 *
 * Events: `open` (with the trip), `close`.
 */
export class CircuitBreaker extends EventEmitter<CircuitBreakerEvents> {
  private current: CircuitTrip | undefined;
  private waiters: Array<() => void> = [];
  private probing: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(private readonly options: CircuitBreakerOptions) {
    super();
  }

  get isOpen(): boolean {
    return this.current !== undefined;
  }

  /** Why it is open, or undefined while closed. */
  get trip(): CircuitTrip | undefined {
    return this.current;
  }

  /** Opens the circuit (once; a later failure while open only updates the reason). */
  open(error: DownstreamError): void {
    if (this.stopped) return;
    if (this.current) {
      this.current = { ...this.current, cause: error.kind, reason: error.message };
      return;
    }
    this.current = { cause: error.kind, reason: error.message, since: new Date() };
    this.emit('open', this.current);
    this.probing = this.probeUntilClosed();
  }

  /** Resolves at once while closed, else when the circuit closes; rejects when `signal` aborts. */
  whenClosed(signal?: AbortSignal): Promise<void> {
    if (!this.current) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(signal!.reason as Error);
      };
      const done = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(done);
    });
  }

  /** Stops probing; waiters stay pending until their own signal aborts. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.probing;
  }

  private async probeUntilClosed(): Promise<void> {
    const { minDelayMs = 250, maxDelayMs = 5000 } = this.options;
    let delay = minDelayMs;
    while (!this.stopped) {
      await this.sleep(delay);
      if (this.stopped) return;
      try {
        await this.options.probe();
        this.close();
        return;
      } catch (error) {
        if (error instanceof DownstreamError) this.open(error);
        else this.current = { ...this.current!, reason: errorMessage(error) };
        delay = Math.min(delay * 2, maxDelayMs);
      }
    }
  }

  private close(): void {
    this.current = undefined;
    this.probing = undefined;
    const waiters = this.waiters;
    this.waiters = [];
    this.emit('close');
    for (const resolve of waiters) resolve();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
