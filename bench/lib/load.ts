import type { JsonClient } from './http-client.js';

/** A valid `POST /api/games` body; `i` varies the title, platform, genre and year. */
export function gameBody(i: number) {
  return {
    title: `Bench Game ${i}`,
    platformId: (i % 7) + 1,
    genreId: (i % 8) + 1,
    developer: `Studio ${i % 97}`,
    releaseYear: 1975 + (i % 30),
    description: 'A game created by the benchmark.',
  };
}

/** Creates `count` games through `POST /api/games`, `concurrency` at a time. */
export function createGames(client: JsonClient, count: number, concurrency: number) {
  return runConcurrently(count, concurrency, async (i) => {
    const res = await client.request('POST', '/api/games', gameBody(i));
    if (res.status !== 201) throw new Error(`create answered ${res.status}: ${res.text}`);
  });
}

/** Runs `task(0..count-1)` with at most `concurrency` running at once. */
export async function runConcurrently(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** Polls `probe` every `intervalMs` until it returns true; throws after `timeoutMs`. */
export async function until(
  what: string,
  probe: () => Promise<boolean>,
  { timeoutMs, intervalMs = 100 }: { timeoutMs: number; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const round = (value: number, digits = 1) => Number(value.toFixed(digits));
