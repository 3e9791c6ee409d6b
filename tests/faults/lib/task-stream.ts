import http from 'node:http';
import { TASK_STATUSES, type ProcessingTask, type TaskStatus } from '@retro/common';

const RANK: Record<TaskStatus, number> = { pending: 0, processing: 1, completed: 2, failed: 2 };

/**
 * Follows `GET /api/tasks/stream` (Server-Sent Events) and records, per task, every status it
 * was seen in, in order. Reconnects whenever the stream ends (a backend restart), like a browser.
 */
export class TaskStreamRecorder {
  readonly sequences = new Map<string, TaskStatus[]>();
  private request: http.ClientRequest | undefined;
  private closed = false;
  connects = 0;

  constructor(private readonly baseUrl: string) {}

  start(): void {
    if (this.closed) return;
    const req = http.get(`${this.baseUrl}/api/tasks/stream`, (res) => {
      this.connects += 1;
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.onFrame(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      });
      res.on('end', () => this.reconnect());
      res.on('error', () => this.reconnect());
    });
    req.on('error', () => this.reconnect());
    this.request = req;
  }

  /** Tasks whose recorded statuses ever went backwards, with their sequence. */
  regressions(): Array<{ messageId: string; sequence: TaskStatus[] }> {
    const found = [];
    for (const [messageId, sequence] of this.sequences) {
      if (sequence.some((s, i) => i > 0 && RANK[s] < RANK[sequence[i - 1]!])) {
        found.push({ messageId, sequence });
      }
    }
    return found;
  }

  stop(): void {
    this.closed = true;
    this.request?.destroy();
  }

  private reconnect(): void {
    if (this.closed) return;
    this.request?.destroy();
    setTimeout(() => this.start(), 200).unref();
  }

  private onFrame(frame: string): void {
    const data = frame
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => l.slice(6))
      .join('\n');
    if (!frame.includes('event: task') || !data) return;
    const task = JSON.parse(data) as ProcessingTask;
    if (!TASK_STATUSES.includes(task.status)) return;
    const sequence = this.sequences.get(task.messageId) ?? [];
    if (sequence[sequence.length - 1] !== task.status) sequence.push(task.status);
    this.sequences.set(task.messageId, sequence);
  }
}
