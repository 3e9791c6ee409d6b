import { pathToFileURL } from 'node:url';
import { startBackend } from '@retro/backend';
import { BrokerProbe, testQueues } from '@retro/common/testing';
import { seedScale } from '@retro/database';
import { createTestDatabase } from '@retro/database/testing';
import { BENCH_TOKEN, declareTopology } from '../lib/world.js';
import { round } from '../lib/load.js';

export interface ReadTiming {
  name: string;
  path: string;
  p50Ms: number;
  p95Ms: number;
  /** `X-Total-Count`, where the read has one. */
  total: number | null;
}

/**
 * What the pages ask for, at the sizes they use (catalog 12 a page, tasks 50). A path holding
 * `{page N}` is the page the UI reaches by pressing "next" N - 1 times (following X-Next-Cursor).
 */
function reads(gameId: number): Array<[string, string]> {
  return [
    ['catalog first page', '/api/games?limit=12'],
    ['catalog page 200', '/api/games?limit=12{page 200}'],
    ['catalog last page (Z to A)', '/api/games?limit=12&sort=-title'],
    ['catalog newest first', '/api/games?limit=12&sort=-createdAt'],
    ['catalog by year, page 50', '/api/games?limit=12&sort=-releaseYear{page 50}'],
    [
      'catalog filtered and sorted',
      '/api/games?limit=12&platformId=3&genreId=2&yearCategory=1990s&sort=-releaseYear',
    ],
    ['catalog filtered, page 20', '/api/games?limit=12&genreId=4{page 20}'],
    ['catalog by status', '/api/games?limit=12&status=failed'],
    ['catalog completed, by year', '/api/games?limit=12&status=completed&sort=releaseYear'],
    ['search by title', '/api/games?limit=12&search=dragon%20quest'],
    ['search by title, one word', '/api/games?limit=12&search=legend'],
    ['search by title, three words', '/api/games?limit=12&search=street%20fighter%20ii'],
    ['search by title, short word', '/api/games?limit=12&search=ii'],
    ['search by developer', '/api/games?limit=12&search=taito'],
    ['search, special characters', `/api/games?limit=12&search=${encodeURIComponent("'93")}`],
    ['search, page 10', '/api/games?limit=12&search=super&offset=108'],
    ['search with a filter', '/api/games?limit=12&search=star&platformId=2'],
    ['tasks first page', '/api/tasks?limit=50'],
    ['tasks page 100', '/api/tasks?limit=50{page 100}'],
    ['tasks failed', '/api/tasks?limit=50&status=failed'],
    ['tasks stalled', '/api/tasks?limit=50&status=stalled'],
    ['tasks custom', '/api/tasks?limit=50&type=custom'],
    ['tasks custom, failed', '/api/tasks?limit=50&type=custom&status=failed'],
    ['tasks of one game', `/api/tasks?limit=50&gameId=${gameId}`],
    ['task counts', '/api/tasks/counts'],
    ['processing feed', '/api/processing'],
  ];
}

/** `path` with `{page N}` replaced by the cursor the UI holds on that page. */
async function reach(url: string, path: string): Promise<string> {
  const match = /\{page (\d+)\}/.exec(path);
  const base = path.replace(/\{page \d+\}/, '');
  if (!match) return base;
  let cursor: string | null = null;
  for (let page = 1; page < Number(match[1]); page++) {
    const res: Response = await fetch(`${url}${base}${cursor ? `&after=${cursor}` : ''}`);
    await res.arrayBuffer();
    cursor = res.headers.get('x-next-cursor');
    if (!cursor) throw new Error(`${base} has no page ${page + 1}`);
  }
  return `${base}&after=${cursor}`;
}

/**
 * Every read the pages make, timed one at a time `repeat` times against a database of `games`
 * games and `tasks` tasks (seeded for the run with `seedScale`, or `database` when given).
 */
export async function scaleReads(options: {
  games: number;
  tasks: number;
  repeat: number;
  database?: string;
}): Promise<{ seedSeconds: number; reads: ReadTiming[] }> {
  const owned = options.database ? undefined : await createTestDatabase('bench_scale');
  const database = options.database ?? owned!.settings.database;
  let seedSeconds = 0;
  if (owned) {
    const seeded = await seedScale(owned.settings, { games: options.games, tasks: options.tasks });
    seedSeconds = round(seeded.ms / 1000, 1);
  }
  const queues = testQueues('bench_scale');
  await declareTopology(queues);
  const backend = await startBackend({
    queues,
    rateLimitPerMinute: 100_000_000,
    relayPollIntervalMs: 60_000,
    config: {
      DB_NAME: database,
      BACKEND_PORT: 0,
      INTERNAL_API_TOKEN: BENCH_TOKEN,
      LOG_LEVEL: 'warn',
    },
  });
  try {
    const timings: ReadTiming[] = [];
    const someGame = Math.max(1, Math.floor(options.games / 2));
    // warm up the backend (JIT, its pool's connections) and the buffer pool's copy of the
    // counters before timing: otherwise the first read measured carries the start-up
    for (const [, template] of reads(someGame)) {
      if (!template.includes('{page'))
        await (await fetch(`${backend.url}${template}`)).arrayBuffer();
    }
    for (const [name, template] of reads(someGame)) {
      const path = await reach(backend.url, template);
      const times: number[] = [];
      let total: number | null = null;
      for (let i = 0; i < options.repeat; i++) {
        const t0 = performance.now();
        const res = await fetch(`${backend.url}${path}`);
        await res.arrayBuffer();
        times.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
        const header = res.headers.get('x-total-count');
        total = header === null ? null : Number(header);
      }
      times.sort((a, b) => a - b);
      const at = (q: number) =>
        round(times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!, 1);
      timings.push({ name, path, p50Ms: at(0.5), p95Ms: at(0.95), total });
    }
    return { seedSeconds, reads: timings };
  } finally {
    await backend.stop();
    const probe = await BrokerProbe.open();
    await probe.deleteQueues(queues).catch(() => undefined);
    await probe.close();
    await owned?.drop();
  }
}

// Runnable on its own: `npx tsx bench/scenarios/scale-reads.ts` seeds 100,000 games and 1,000,000
// tasks into a database of its own (or reads BENCH_SCALE_DB, already seeded, and leaves it).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await scaleReads({
    games: Number(process.env.BENCH_SCALE_GAMES ?? 100_000),
    tasks: Number(process.env.BENCH_SCALE_TASKS ?? 1_000_000),
    repeat: Number(process.env.BENCH_SCALE_REPEAT ?? 30),
    database: process.env.BENCH_SCALE_DB || undefined,
  });
  for (const r of result.reads) {
    console.log(
      `${r.name.padEnd(32)} p50 ${String(r.p50Ms).padStart(6)} ms  p95 ${String(r.p95Ms).padStart(6)} ms  total ${r.total ?? '-'}`,
    );
  }
  console.log(JSON.stringify(result));
}
