import { createPool } from '@retro/database';
import { createTestDatabase } from '@retro/database/testing';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import {
  countDeadLetters,
  listDeadLetters,
} from '../../message-producer/src/data-access/archive-reads.js';
import { planBodySearch } from '../../message-producer/src/data-access/body-search.js';
import { seedArchive } from '../../message-producer/test/scale-seed.js';
import { round } from '../lib/load.js';

export interface SearchTiming {
  text: string;
  /** Rows whose body contains it (X-Total-Count). */
  matching: number;
  indexed: { p50Ms: number; p95Ms: number };
  likeScan: { p50Ms: number; p95Ms: number };
}

/**
 * What a tester types into the console's body filter: a message id, a title, a field and value,
 * text in another case, and text no body holds; last, a word every body holds. Every row of the
 * seeded archive is one of 500 games' events, so a title or game id matches 200 rows.
 */
export const SEARCHES = [
  'scale-4242"',
  'Game 42"',
  '"gameId":77,',
  'GAME 499',
  'scale-99999',
  'no such text',
  'update',
];

/**
 * `GET /api/dead-letters?bodyContains=…` at `rows` archived messages, as the console asks: a page
 * of 50 newest first and the total, read by the producer's own data access (the trigram index,
 * migration 017) and, in the same run, by the plain LIKE scan it replaced. Each search `repeat`
 * times after one warm-up, the two alternated.
 */
export async function archiveSearch(options: { rows: number; repeat: number }) {
  const { settings, drop } = await createTestDatabase('bench_search');
  const pool = createPool(settings) as unknown as Pool;
  try {
    const started = performance.now();
    await seedArchive(pool, options.rows);
    const seedSeconds = round((performance.now() - started) / 1000, 1);
    const searches: SearchTiming[] = [];
    for (const text of SEARCHES) {
      const indexed = () => indexedSearch(pool, text);
      const scan = () => likeScan(pool, text);
      const matching = await indexed();
      if ((await scan()) !== matching) throw new Error(`the two searches disagree on ${text}`);
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < options.repeat; i++) {
        a.push(await timed(indexed));
        b.push(await timed(scan));
      }
      searches.push({ text, matching, indexed: percentiles(a), likeScan: percentiles(b) });
    }
    return { seedSeconds, searches };
  } finally {
    await pool.end();
    await drop();
  }
}

/** As the console's list does it: the search planned, then the page and the total. */
async function indexedSearch(pool: Pool, text: string): Promise<number> {
  const filter = await planBodySearch(pool, { bodyContains: text });
  const [, total] = await Promise.all([
    listDeadLetters(pool, filter, 50),
    countDeadLetters(pool, filter),
  ]);
  return total;
}

/** The query before migration 017: the same page and count, every body read by LIKE. */
async function likeScan(pool: Pool, text: string): Promise<number> {
  const where = `WHERE body_encoding = 'utf8' AND body LIKE ? COLLATE utf8mb4_general_ci ESCAPE '\\\\'
    AND deleted_at IS NULL`;
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const [, [[row]]] = await Promise.all([
    pool.query(
      `SELECT id, LEFT(body, 200) FROM dead_letters ${where} ORDER BY parked_at DESC, id DESC LIMIT 51`,
      [pattern],
    ),
    pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM dead_letters ${where}`, [pattern]),
  ]);
  return Number(row!.n);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { p50Ms: round(at(0.5), 1), p95Ms: round(at(0.95), 1) };
}
