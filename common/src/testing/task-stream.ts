import http from 'node:http';
import type { ProcessingTask, TaskStatus } from '../api.js';

const RANK: Record<TaskStatus, number> = { pending: 0, processing: 1, completed: 2, failed: 2 };

export interface TaskStreamClientOptions {
  /** Reconnect after the stream ends or breaks, sending `Last-Event-ID`, as a browser does. */
  reconnect?: boolean;
  /** Wait before reconnecting (a browser's `retry:`). */
  reconnectDelayMs?: number;
  /** Extra request headers (e.g. `X-Forwarded-For`). */
  headers?: Record<string, string>;
  /** Connect from this loopback address (e.g. `127.0.0.2`): another client, as the server sees it. */
  localAddress?: string;
  /** Told the list is out of date (`event: reload`); a page would re-read it, e.g. into `apply()`. */
  onReload?: () => void;
}

/**
 * A viewer of `GET /api/tasks/stream` that behaves like a browser's EventSource: it remembers the
 * last `id:` it received and sends it back as `Last-Event-ID` when it reconnects. It keeps the last
 * state seen of every task and notes any state older than one seen before (a task going
 * backwards on screen). `cut()` destroys the socket mid-stream, as a network blip would.
 */
export class TaskStreamClient {
  /** The last state seen per task. */
  readonly latest = new Map<string, ProcessingTask>();
  /** Frames whose task state was older than one already seen for that task. */
  readonly regressions: Array<{ before: ProcessingTask; after: ProcessingTask }> = [];
  lastEventId: string | undefined;
  /** Task frames received, duplicates included. */
  frames = 0;
  /** The `id:` of every task frame received, in order (`undefined` for a frame without one). */
  readonly frameIds: Array<string | undefined> = [];
  reloads = 0;
  connects = 0;
  /** Status of the last answer (200 while streaming; 429 when refused). */
  status = 0;
  /** The body of the last answer that was not a stream (the error, when refused). */
  refusal: string | undefined;
  /** True once the server ended or broke the stream and no reconnect followed yet. */
  ended = false;
  private request: http.ClientRequest | undefined;
  private closed = false;
  private buffer = '';

  constructor(
    private readonly baseUrl: string,
    private readonly options: TaskStreamClientOptions = {},
  ) {}

  /** Connects; resolves with the answer's status once the headers (and, if 200, `: connected`) are in. */
  open(): Promise<number> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {
        Accept: 'text/event-stream',
        ...this.options.headers,
      };
      if (this.lastEventId !== undefined) headers['Last-Event-ID'] = this.lastEventId;
      const url = `${this.baseUrl}/api/tasks/stream`;
      const { localAddress } = this.options;
      const req = http.get(url, { headers, agent: false, localAddress }, (res) => {
        this.status = res.statusCode ?? 0;
        if (this.status !== 200) {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => {
            this.refusal = body;
            resolve(this.status);
          });
          return;
        }
        this.connects += 1;
        this.ended = false;
        this.buffer = '';
        res.setEncoding('utf8');
        let connected = false;
        res.on('data', (chunk: string) => {
          this.buffer += chunk;
          let end: number;
          while ((end = this.buffer.indexOf('\n\n')) >= 0) {
            const frame = this.buffer.slice(0, end);
            this.buffer = this.buffer.slice(end + 2);
            if (!connected && frame.includes(': connected')) {
              connected = true;
              resolve(200);
            }
            this.onFrame(frame);
          }
        });
        const ended = () => {
          if (!connected) resolve(this.status);
          if (this.request !== req) return;
          this.ended = true;
          if (this.options.reconnect && !this.closed) {
            setTimeout(
              () => void this.open().catch(() => undefined),
              this.options.reconnectDelayMs ?? 100,
            );
          }
        };
        res.on('close', ended);
      });
      req.on('error', (error) => {
        if (this.request === req && this.options.reconnect && !this.closed) {
          this.ended = true;
          setTimeout(
            () => void this.open().catch(() => undefined),
            this.options.reconnectDelayMs ?? 100,
          );
        }
        reject(error);
      });
      this.request = req;
    });
  }

  /** Destroys the connection without warning (a network blip); reconnects if asked to. */
  cut(): void {
    this.request?.socket?.destroy();
  }

  /** Stops reading from the socket (a reader too slow to keep up). */
  pause(): void {
    this.request?.socket?.pause();
  }

  close(): void {
    this.closed = true;
    this.request?.destroy();
  }

  /** Tasks whose last state seen is `status`. */
  count(status: TaskStatus): number {
    let n = 0;
    for (const task of this.latest.values()) if (task.status === status) n += 1;
    return n;
  }

  private onFrame(frame: string): void {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of frame.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'id') this.lastEventId = id = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) return;
    if (event === 'reload') {
      this.reloads += 1;
      this.options.onReload?.();
    }
    if (event !== 'task') return;
    this.frames += 1;
    this.frameIds.push(id);
    this.apply(JSON.parse(data.join('\n')) as ProcessingTask);
  }

  /**
   * Takes in one task state, from the stream or (`fromList`) from a re-read of the list, which may
   * have been read before a change the stream has already shown: an older state is then skipped,
   * and counted as a regression only when the stream sent it.
   */
  apply(task: ProcessingTask, fromList = false): void {
    const before = this.latest.get(task.messageId);
    if (before && isOlder(task, before)) {
      if (!fromList) this.regressions.push({ before, after: task });
      return;
    }
    this.latest.set(task.messageId, task);
  }
}

/** Whether `a` is an older state of its task than `b`: an earlier change, or a lower status at the same instant. */
function isOlder(a: ProcessingTask, b: ProcessingTask): boolean {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt;
  return RANK[a.status] < RANK[b.status];
}
