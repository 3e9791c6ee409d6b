import autocannon from 'autocannon';
import type mysql from 'mysql2/promise';
import { gameBody, round } from '../lib/load.js';
import { createWorld, startWorldBackend } from '../lib/world.js';

export interface ApiLatencyOptions {
  connections: number;
  durationSec: number;
  /** Games in the catalog while the list is measured. */
  listGames: number;
}

export interface LatencyFigures {
  requests: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** The list request measured: one filter, the default sort, the first page. */
export const LIST_PATH = '/api/games?platformId=3&limit=20';

/**
 * autocannon against the API: `POST /api/games` (each one a transaction with its outbox event,
 * relayed to the queue as it runs), then `GET` of a filtered list over `listGames` games.
 * autocannon runs in a worker thread, so the client does not share the server's event loop.
 */
export async function apiLatency(options: ApiLatencyOptions) {
  const world = await createWorld('api');
  const backend = await startWorldBackend(world);
  try {
    const create = await load({
      url: `${backend.url}/api/games`,
      connections: options.connections,
      duration: options.durationSec,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${world.accounts.editor.token}`,
      },
      body: JSON.stringify(gameBody(7)),
    });
    const games = await fillCatalog(world.pool, options.listGames);
    const list = await load({
      url: `${backend.url}${LIST_PATH}`,
      connections: options.connections,
      duration: options.durationSec,
    });
    return { create, list, games };
  } finally {
    await backend.stop();
    await world.cleanup();
  }
}

async function load(options: autocannon.Options): Promise<LatencyFigures> {
  const result = await autocannon({ ...options, workers: 1 });
  const failed = result.errors + result.timeouts + result.non2xx;
  return {
    requests: result.requests.total,
    perSec: round(result.requests.average),
    p50Ms: round(result.latency.p50, 2),
    p99Ms: round(result.latency.p99, 2),
    errors: failed,
  };
}

/** Tops the catalog up to `target` games with multi-row inserts; returns how many there are. */
async function fillCatalog(pool: mysql.Pool, target: number): Promise<number> {
  const [[row]] = await pool.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM games');
  let count = Number(row!.n);
  while (count < target) {
    const rows = Array.from({ length: Math.min(1000, target - count) }, (_, j) => {
      const g = gameBody(count + j);
      const year = g.releaseYear;
      return [
        g.title,
        g.platformId,
        g.genreId,
        g.developer,
        year,
        `${year - (year % 10)}s`,
        g.description,
      ];
    });
    await pool.query(
      `INSERT INTO games (title, platform_id, genre_id, developer, release_year, year_category,
                          description) VALUES ?`,
      [rows],
    );
    count += rows.length;
  }
  return count;
}
