import type { Task } from './types.js';

export type LiveMode = 'live' | 'reconnecting' | 'polling' | 'paused';

export interface LiveOptions {
  /** A task changed (from the event stream). */
  onTask(task: Task): void;
  /**
   * Reload from the REST API: when the server says changes were missed (`event: reload`), when a
   * new stream opens after a refused one, and on every poll while the stream is down.
   */
  onResync(): void;
  onMode?(mode: LiveMode): void;
  pollMs?: number;
  /** How long to wait before trying the stream again after the server refused it. */
  reopenMs?: number;
}

const STREAM_PATH = '/api/tasks/stream';

/**
 * Task changes as they happen: Server-Sent Events from `/api/tasks/stream`, and polling while the
 * stream is down (a refused stream is retried later). After a network blip the browser's
 * EventSource reconnects by itself and sends the id of the last frame it got (`Last-Event-ID`):
 * the server then sends what was missed, or `event: reload` when that is too much, and the page
 * reloads its data only then.
 */
export class LiveTasks {
  private source: EventSource | undefined;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private reopenTimer: ReturnType<typeof setTimeout> | undefined;
  private opened = false;
  private running = false;

  constructor(private readonly options: LiveOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.opened = false;
    if (typeof EventSource === 'undefined') this.poll();
    else this.open();
  }

  stop(): void {
    this.running = false;
    this.source?.close();
    this.source = undefined;
    clearInterval(this.pollTimer);
    clearTimeout(this.reopenTimer);
    this.pollTimer = undefined;
    this.options.onMode?.('paused');
  }

  private open(): void {
    const source = new EventSource(STREAM_PATH);
    this.source = source;
    // the browser's own reconnects of this source resume where it was; a new source starts from
    // nothing, so after an earlier one the page re-reads what it may have missed in between
    const replacing = this.opened;
    let sourceOpened = false;
    source.addEventListener('open', () => {
      this.stopPolling();
      this.options.onMode?.('live');
      if (replacing && !sourceOpened) this.options.onResync();
      sourceOpened = true;
      this.opened = true;
    });
    source.addEventListener('reload', () => this.options.onResync());
    source.addEventListener('task', (event) => {
      try {
        this.options.onTask(JSON.parse((event as MessageEvent<string>).data) as Task);
      } catch {
        // a malformed frame is skipped; the next resync corrects the page
      }
    });
    source.addEventListener('error', () => {
      if (!this.running) return;
      if (source.readyState === EventSource.CLOSED) {
        // refused (e.g. a 5xx from the proxy): poll, and try the stream again later
        this.source = undefined;
        this.poll();
        this.reopenTimer = setTimeout(() => {
          if (this.running) this.open();
        }, this.options.reopenMs ?? 30_000);
      } else {
        this.poll('reconnecting');
      }
    });
  }

  private poll(mode: LiveMode = 'polling'): void {
    this.options.onMode?.(mode);
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => this.options.onResync(), this.options.pollMs ?? 5000);
  }

  private stopPolling(): void {
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }
}
