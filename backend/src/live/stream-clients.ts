import { AppError } from '@retro/common';
import type { Response } from 'express';

export interface StreamLimits {
  /** Streams this instance serves at once (`STREAM_MAX_CLIENTS`). */
  maxClients: number;
  /** Streams one client address may hold open here (`STREAM_MAX_PER_CLIENT`). */
  maxPerClient: number;
  /**
   * Unsent bytes a stream may hold for long: a reader whose buffer stays above this for
   * `SLOW_READER_GRACE_MS` without draining, or grows past `HARD_LIMIT_FACTOR` times it, is too
   * slow to keep up and is disconnected.
   */
  maxBufferBytes: number;
}

/**
 * A burst (a page of a catch-up, one notice) is written in one go, faster than any network
 * takes it, so a reader that keeps up can be above the bound for a moment; one that stays above
 * it is not keeping up.
 */
const SLOW_READER_GRACE_MS = 2000;
/** Past this multiple of the bound a reader is dropped at once, however briefly: memory first. */
const HARD_LIMIT_FACTOR = 8;

export interface StreamClientEvents {
  /** The number of open streams changed. */
  onCount(open: number): void;
  /** A stream was refused for a cap: `server` (all streams) or `client` (one address). */
  onRefused(cap: 'server' | 'client'): void;
  /** A reader too slow to keep up was disconnected. */
  onSlowReader(): void;
}

/** One viewer's open stream. */
export class StreamClient {
  /**
   * While true the viewer is being sent what it missed, with the ids of those frames; changes
   * pushed meanwhile reach it without an id, so its `Last-Event-ID` never jumps past a change it
   * has not been sent yet.
   */
  resuming = true;
  /** Since when its unsent buffer has been above the bound without draining. */
  overSince: number | undefined;

  constructor(
    readonly res: Response,
    readonly address: string,
  ) {}

  get open(): boolean {
    return !this.res.destroyed && !this.res.writableEnded;
  }
}

/**
 * The open streams of this instance: admission under the caps, and writes that drop a reader
 * whose unsent buffer has grown past the bound instead of buffering for it without limit.
 */
export class StreamClients {
  private readonly clients = new Set<StreamClient>();
  private readonly perAddress = new Map<string, number>();

  constructor(
    private readonly limits: StreamLimits,
    private readonly events: StreamClientEvents,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** Throws the 429 for a cap that is reached; nothing has been written to the response then. */
  admit(address: string): void {
    if (this.clients.size >= this.limits.maxClients) {
      this.events.onRefused('server');
      throw new AppError(
        'TOO_MANY_STREAMS',
        429,
        `This server has ${this.limits.maxClients} live streams open, its limit; try again shortly`,
      );
    }
    if ((this.perAddress.get(address) ?? 0) >= this.limits.maxPerClient) {
      this.events.onRefused('client');
      throw new AppError(
        'TOO_MANY_STREAMS',
        429,
        `At most ${this.limits.maxPerClient} live streams may be open from one client; close one first`,
      );
    }
  }

  add(res: Response, address: string): StreamClient {
    const client = new StreamClient(res, address);
    res.on('drain', () => (client.overSince = undefined));
    this.clients.add(client);
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    this.events.onCount(this.clients.size);
    return client;
  }

  remove(client: StreamClient): void {
    if (!this.clients.delete(client)) return;
    const left = (this.perAddress.get(client.address) ?? 1) - 1;
    if (left > 0) this.perAddress.set(client.address, left);
    else this.perAddress.delete(client.address);
    this.events.onCount(this.clients.size);
  }

  /** Writes to one stream; disconnects it if its reader has fallen too far behind. */
  write(client: StreamClient, chunk: string): void {
    if (!client.open) return;
    client.res.write(chunk);
    const unsent = client.res.writableLength;
    if (unsent <= this.limits.maxBufferBytes) return;
    const now = Date.now();
    client.overSince ??= now;
    if (
      unsent > HARD_LIMIT_FACTOR * this.limits.maxBufferBytes ||
      now - client.overSince > SLOW_READER_GRACE_MS
    ) {
      this.events.onSlowReader();
      this.remove(client);
      client.res.destroy();
    }
  }

  /**
   * Writes one frame to every stream but `skip`: `withId` to most, `withoutId()` (made once, when
   * needed) to those being sent what they missed, whose position is their resume's, not the
   * live one.
   */
  broadcast(withId: string, withoutId: () => string, skip?: StreamClient): void {
    let plain: string | undefined;
    for (const client of this.clients) {
      if (client === skip) continue;
      this.write(client, client.resuming ? (plain ??= withoutId()) : withId);
    }
  }

  /** Ends every stream (on shutdown). */
  endAll(): void {
    for (const client of this.clients) client.res.end();
    this.clients.clear();
    this.perAddress.clear();
    this.events.onCount(0);
  }
}
