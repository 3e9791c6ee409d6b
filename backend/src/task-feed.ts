import { isDatabaseUnavailable, type Logger, type ProcessingTask } from '@retro/common';
import type { Request, Response } from 'express';
import type { Pool } from './data-access/db.js';
import { countChangesAfter, databaseNow, type ChangePosition } from './data-access/tasks-repo.js';
import { CatchUp } from './live/catch-up.js';
import { changePages, overlapping } from './live/change-order.js';
import { Gate } from './live/gate.js';
import { LastSent } from './live/last-sent.js';
import {
  HEARTBEAT,
  idFrame,
  OPENING,
  reloadFrame,
  STREAM_HEADERS,
  taskFrame,
} from './live/frames.js';
import { comesAfter, parsePosition, positionOf } from './live/position.js';
import {
  StreamClients,
  type StreamClient,
  type StreamClientEvents,
  type StreamLimits,
} from './live/stream-clients.js';

/** Tasks whose last sent state is remembered (about 100 bytes each). */
const SENT_LIMIT = 50_000;
/** Viewers resumed at the same time; more wait their turn (a restart reconnects everyone at once). */
const RESUMES_AT_ONCE = 4;

export interface FeedSettings extends StreamLimits {
  /** Most missed changes a reconnecting viewer is sent; beyond, it is told to reload. */
  resumeLimit: number;
  /** How often, while anyone watches, the database is read for changes no notice brought. */
  catchUpIntervalMs: number;
  /** Comment lines that keep idle connections (and proxies) from timing out. */
  heartbeatMs: number;
}

export interface FeedEvents extends StreamClientEvents {
  /** Rows read for the periodic catch-up or to resume one viewer. */
  onRowsRead(kind: 'periodic' | 'resume', rows: number): void;
  /** Changes the catch-up found that no notice had brought yet (lost or still in flight). */
  onRepaired(count: number): void;
  /** Viewers told to reload their list instead of being sent what they missed. */
  onReload(count: number): void;
}

/**
 * `GET /api/tasks/stream`: Server-Sent Events of task changes, right on every backend instance.
 * Changes arrive through `deliver()` (this instance's commits and other instances' notices);
 * while anyone watches, a periodic keyset read of the change order repairs lost notices. Every
 * frame's id is its position in that order, so a viewer that reconnects with `Last-Event-ID` is
 * sent what it missed, or `event: reload` when that is too much. No viewer is ever sent an older
 * state of a task after a newer one (`LastSent`).
 */
export class TaskFeed {
  private readonly clients: StreamClients;
  private readonly lastSent = new LastSent(SENT_LIMIT);
  private readonly resumes = new Gate(RESUMES_AT_ONCE);
  private readonly catchUp: CatchUp;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
    /** Tasks in the frames say whether they are stalled (`TASK_STALLED_AFTER_MS`). */
    private readonly stalledAfterMs: number,
    private readonly settings: FeedSettings,
    private readonly events: FeedEvents,
  ) {
    this.clients = new StreamClients(settings, events);
    this.catchUp = new CatchUp({
      pool,
      logger,
      stalledAfterMs,
      maxRows: 10 * settings.resumeLimit,
      watched: () => this.clients.size > 0,
      send: (tasks) => this.send(tasks),
      reloadAll: (now) => {
        const frame = reloadFrame(now);
        this.clients.broadcast(frame, () => frame);
        events.onReload(this.clients.size);
      },
      onRowsRead: (rows) => events.onRowsRead('periodic', rows),
      onRepaired: (count) => events.onRepaired(count),
    });
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Task states committed by this or another instance, in commit order. */
  deliver(tasks: ProcessingTask[]): void {
    if (this.clients.size > 0) this.send(tasks);
  }

  /** Opens a stream; throws the 429 (before anything is written) when a cap is reached. */
  attach(req: Request, res: Response): void {
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    this.clients.admit(address);
    res.writeHead(200, STREAM_HEADERS);
    res.write(OPENING);
    const client = this.clients.add(res, address);
    if (this.clients.size === 1) this.startWatching();
    res.on('close', () => {
      this.clients.remove(client);
      if (this.clients.size === 0) this.stopWatching();
    });
    void this.begin(client, req.get('last-event-id'));
  }

  /** Reads the database for changes no notice brought (after a reconnect to the broker). */
  catchUpSoon(): void {
    this.catchUp.soon();
  }

  /** Ends every open stream (on shutdown). */
  closeAll(): void {
    this.stopWatching();
    this.clients.endAll();
  }

  /**
   * Sends each state unless a newer one of its task was sent. `only` is a viewer being resumed:
   * it gets every state of `tasks` (it may have missed those already sent), each frame with its
   * own `id:` in change order, so a viewer cut in the middle of its resume goes on from the last
   * frame it got instead of starting over. Returns how many states were new.
   */
  private send(tasks: ProcessingTask[], only?: StreamClient): number {
    const fresh: ProcessingTask[] = [];
    let resumed = '';
    for (const task of tasks) {
      const order = this.lastSent.compare(task);
      if (order < 0) continue;
      if (only) resumed += taskFrame(task, true);
      if (order === 0) continue;
      this.lastSent.record(task);
      fresh.push(task);
    }
    if (only && resumed) this.clients.write(only, resumed);
    if (fresh.length > 0) {
      // the whole batch in one write per viewer: a thousand viewers cost a thousand writes per
      // batch, not per change
      this.clients.broadcast(
        fresh.map((task) => taskFrame(task, true)).join(''),
        () => fresh.map((task) => taskFrame(task, false)).join(''),
        only,
      );
    }
    return fresh.length;
  }

  /** Gives a new stream its starting position, or sends a returning viewer what it missed. */
  private async begin(client: StreamClient, lastEventId: string | undefined): Promise<void> {
    try {
      if (lastEventId === undefined) {
        // a new viewer has just read its list: from now on it is told every change, so its first
        // id is now, and a reconnect before any change resumes from here
        this.clients.write(client, idFrame(await databaseNow(this.pool)));
        return;
      }
      const from = parsePosition(lastEventId);
      // an id this server did not write (another version's): what was missed is unknown
      if (!from) await this.reload(client);
      else await this.resumes.run(() => this.resume(client, from));
    } catch (error) {
      if (lastEventId !== undefined && isDatabaseUnavailable(error)) {
        // what it missed cannot be read now, and a reload could not be served either: ending the
        // stream brings the browser back after the stream's retry delay with the same
        // Last-Event-ID (frames sent during a resume carry no id), resumed once the database is
        return this.comeBackLater(client, error);
      }
      this.logger.warn('live stream could not resume a viewer', { error });
      await this.reload(client);
    } finally {
      client.resuming = false;
    }
  }

  private async resume(client: StreamClient, last: ChangePosition): Promise<void> {
    if (!client.open) return;
    const limit = this.settings.resumeLimit;
    if ((await countChangesAfter(this.pool, last, limit + 1)) > limit) return this.reload(client);
    let end = last;
    let read = 0;
    for await (const page of changePages(this.pool, overlapping(last), this.stalledAfterMs)) {
      if (!client.open) return;
      this.events.onRowsRead('resume', page.length);
      this.send(page, client);
      if (page.length > 0 && comesAfter(positionOf(page.at(-1)!), end)) {
        end = positionOf(page.at(-1)!);
      }
      read += page.length;
      // changes arriving faster than they are read: stop chasing them
      if (read > 3 * limit) return this.reload(client);
    }
    if (end !== last) this.clients.write(client, idFrame(end));
  }

  private comeBackLater(client: StreamClient, error: unknown): void {
    const cause = error as { code?: string } | undefined;
    this.logger.warn('live stream could not resume a viewer: database unavailable; it reconnects', {
      reason: cause?.code,
    });
    client.res.end();
  }

  /** Tells a viewer to re-read its list; its position becomes now. */
  private async reload(client: StreamClient): Promise<void> {
    const now = await databaseNow(this.pool).catch(() => undefined);
    this.clients.write(client, reloadFrame(now));
    this.events.onReload(1);
  }

  private startWatching(): void {
    this.timers = [
      setInterval(() => this.catchUpSoon(), this.settings.catchUpIntervalMs),
      setInterval(
        () => this.clients.broadcast(HEARTBEAT, () => HEARTBEAT),
        this.settings.heartbeatMs,
      ),
    ];
    for (const timer of this.timers) timer.unref();
    this.catchUp.soon();
  }

  /** Nobody watches: forget positions and sent states, which are only about current viewers. */
  private stopWatching(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.catchUp.reset();
    this.lastSent.clear();
  }
}
