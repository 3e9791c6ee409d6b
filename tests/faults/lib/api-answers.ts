import { setTimeout as sleep } from 'node:timers/promises';
import type { CatalogClient } from './catalog.js';

/** A request no answer came for in this long is a hang. */
const HANG_MS = 15_000;

/** What the API answered while something was down, by kind. */
export interface AnswerCounts {
  /** 503 with `Retry-After` and the error shape's `DATABASE_UNAVAILABLE`. */
  unavailable: number;
  /** Any other 503 (no `Retry-After`, another code). */
  otherUnavailable: number;
  /** 500 and every other 5xx. */
  serverErrors: number;
  /** 2xx: served (before the cut took hold, or after it ended). */
  ok: number;
  /** Any other status. */
  other: number;
  /** No answer within 15 s, or the connection dropped. */
  noAnswer: number;
  /** The slowest answer, in ms. */
  slowestMs: number;
  /** Games the probe created (201): each one is a task the run must also complete. */
  created: number;
}

/**
 * Calls the API over and over, as users would while the database is away: a catalog read, a game
 * create and a task list, in turn, `concurrency` at a time, each with its editor's token.
 * `stop()` ends it and gives the counts.
 */
export class ApiAnswerProbe {
  readonly counts: AnswerCounts = {
    unavailable: 0,
    otherUnavailable: 0,
    serverErrors: 0,
    ok: 0,
    other: 0,
    noAnswer: 0,
    slowestMs: 0,
    created: 0,
  };
  private stopped = false;
  private readonly loops: Promise<void>[];

  constructor(
    private readonly backend: CatalogClient,
    concurrency = 4,
  ) {
    this.loops = Array.from({ length: concurrency }, (_, i) => this.loop(i));
  }

  async stop(): Promise<AnswerCounts> {
    this.stopped = true;
    await Promise.all(this.loops);
    return this.counts;
  }

  private async loop(offset: number): Promise<void> {
    for (let i = offset; !this.stopped; i++) {
      await this.call(i % 3);
      await sleep(50);
    }
  }

  private async call(kind: number): Promise<void> {
    const { url, token } = this.backend;
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    const request: RequestInit =
      kind === 1
        ? {
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json' },
            body: JSON.stringify({
              title: `Outage Game ${Math.random().toString(36).slice(2)}`,
              platformId: 1,
              genreId: 1,
              developer: 'Outage Studio',
              releaseYear: 1990,
            }),
          }
        : { headers };
    const path = ['/api/games?limit=5', '/api/games', '/api/tasks?limit=5'][kind]!;
    const started = performance.now();
    try {
      const res = await fetch(`${url}${path}`, {
        ...request,
        signal: AbortSignal.timeout(HANG_MS),
      });
      const text = await res.text();
      this.counts.slowestMs = Math.max(
        this.counts.slowestMs,
        Math.round(performance.now() - started),
      );
      if (res.status === 503) {
        const code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
        const retryAfter = Number(res.headers.get('retry-after'));
        if (code === 'DATABASE_UNAVAILABLE' && retryAfter > 0) this.counts.unavailable += 1;
        else this.counts.otherUnavailable += 1;
      } else if (res.status >= 500) this.counts.serverErrors += 1;
      else if (res.status < 300) {
        this.counts.ok += 1;
        if (res.status === 201) this.counts.created += 1;
      } else this.counts.other += 1;
    } catch {
      this.counts.noAnswer += 1;
    }
  }
}
