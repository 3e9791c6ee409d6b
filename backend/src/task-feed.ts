import type { Logger, ProcessingTask } from '@retro/common';
import type { Request, Response } from 'express';
import type { Pool } from './data-access/db.js';
import { changedSince } from './data-access/tasks-repo.js';

const SEEN_LIMIT = 20_000;
/** Changes committed slightly out of timestamp order are still picked up by the poll. */
const OVERLAP_MS = 2_000;

/**
 * Server-Sent Events of task changes. Changes made by this instance are sent at once; a poll of
 * the tasks table (only while someone listens) adds those made through other backend instances.
 * Each distinct state of a task is sent once.
 */
export class TaskFeed {
  private readonly clients = new Set<Response>();
  private readonly seen = new Map<string, string>();
  private watermark = new Date();
  private pollTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
    /** Tasks in the frames say whether they are stalled (`TASK_STALLED_AFTER_MS`). */
    private readonly stalledAfterMs: number,
    private readonly pollIntervalMs = 1000,
  ) {}

  get clientCount(): number {
    return this.clients.size;
  }

  publish(task: ProcessingTask): void {
    const state = `${task.status}|${task.attempts}|${task.updatedAt}`;
    const previous = this.seen.get(task.messageId);
    if (previous === state) return;
    // a poll that read the row before a newer change was pushed live must not send the older state
    // (viewers saw completed → processing → completed); ISO timestamps compare as strings
    if (previous !== undefined && previous.slice(previous.lastIndexOf('|') + 1) > task.updatedAt) {
      return;
    }
    this.seen.delete(task.messageId);
    this.seen.set(task.messageId, state);
    if (this.seen.size > SEEN_LIMIT) this.seen.delete(this.seen.keys().next().value!);
    const frame = `event: task\nid: ${task.messageId}\ndata: ${JSON.stringify(task)}\n\n`;
    for (const res of this.clients) res.write(frame);
  }

  attach(req: Request, res: Response): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n: connected\n\n');
    this.clients.add(res);
    if (this.clients.size === 1) this.startTimers();
    req.on('close', () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.stopTimers();
    });
  }

  /** Ends every open stream (on shutdown). */
  closeAll(): void {
    this.stopTimers();
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private startTimers(): void {
    this.watermark = new Date(Date.now() - OVERLAP_MS);
    this.pollTimer = setInterval(() => void this.poll(), this.pollIntervalMs);
    this.heartbeatTimer = setInterval(() => {
      for (const res of this.clients) res.write(': ping\n\n');
    }, 15_000);
    this.pollTimer.unref();
    this.heartbeatTimer.unref();
  }

  private stopTimers(): void {
    clearInterval(this.pollTimer);
    clearInterval(this.heartbeatTimer);
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const since = new Date(this.watermark.getTime() - OVERLAP_MS);
      const changes = await changedSince(this.pool, since, this.stalledAfterMs);
      for (const task of changes) {
        this.publish(task);
        const at = new Date(task.updatedAt);
        if (at > this.watermark) this.watermark = at;
      }
    } catch (error) {
      this.logger.warn('task feed poll failed', { error });
    } finally {
      this.polling = false;
    }
  }
}
