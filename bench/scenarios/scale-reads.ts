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

/** What the pages ask for, at the sizes they use (catalog 12 a page, tasks 50). */
function reads(games: number, tasks: number, gameId: number): Array<[string, string]> {
  const lastCatalogPage = Math.ceil(games / 12) - 1;
  const lastTaskPage = Math.ceil(tasks / 50) - 1;
  return [
    ['catalog first page', '/api/games?limit=12'],
    ['catalog page 200', `/api/games?limit=12&offset=${199 * 12}`],
    ['catalog last page', `/api/games?limit=12&offset=${lastCatalogPage * 12}`],
    ['catalog newest first', '/api/games?limit=12&sort=-createdAt'],
    [
      'catalog by year, last page',
      `/api/games?limit=12&sort=-releaseYear&offset=${lastCatalogPage * 12}`,
    ],
    [
      'catalog filtered and sorted',
      '/api/games?limit=12&platformId=3&genreId=2&yearCategory=1990s&sort=-releaseYear',
    ],
    ['catalog filtered, page 20', '/api/games?limit=12&genreId=4&offset=240'],
    ['catalog by status', '/api/games?limit=12&status=failed'],
    ['search by title', '/api/games?limit=12&search=dragon%20quest'],
    ['search by title, one word', '/api/games?limit=12&search=legend'],
    ['search by developer', '/api/games?limit=12&search=konami'],
    ['search, special characters', `/api/games?limit=12&search=${encodeURIComponent("'93")}`],
    ['search, page 10', '/api/games?limit=12&search=super&offset=120'],
    ['tasks first page', '/api/tasks?limit=50'],
    ['tasks last page', `/api/tasks?limit=50&offset=${lastTaskPage * 50}`],
    ['tasks failed', '/api/tasks?limit=50&status=failed'],
    ['tasks stalled', '/api/tasks?limit=50&status=stalled'],
    ['tasks custom', '/api/tasks?limit=50&type=custom'],
    ['tasks of one game', `/api/tasks?limit=50&gameId=${gameId}`],
    ['task counts', '/api/tasks/counts'],
    ['processing feed', '/api/processing'],
  ];
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
    for (const [name, path] of reads(options.games, options.tasks, someGame)) {
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
