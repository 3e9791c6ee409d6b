import { searchTrigrams } from '@retro/database';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { type DeadLetterFilter, trigramCandidates } from './archive-filter.js';

/**
 * Bodies a trigram may be in before the index stops paying: past this many, reading the
 * candidates costs more than the LIKE scan, which finds a page of so common a text at once.
 */
export const COMMON_TRIGRAM_ROWS = 5000;
/** Trigrams of the text weighed; the rarest two narrow the candidates. */
const WEIGHED = 8;
const USED = 2;

/**
 * Chooses how `filter.bodyContains` reads the archive: through its rarest trigrams, each weighed
 * by a bounded count of the index (at most COMMON_TRIGRAM_ROWS entries read per trigram), or by
 * the LIKE scan alone when even the rarest is that common. Only the rows read change, never the
 * answer: the LIKE decides in both cases. Meant for one request: the candidates are those of now.
 */
export async function planBodySearch(
  pool: Pool,
  filter: DeadLetterFilter,
): Promise<DeadLetterFilter> {
  const text = filter.bodyContains;
  const trigrams = text === undefined ? [] : searchTrigrams(text, WEIGHED);
  if (trigrams.length === 0) return filter;
  const [rows] = await pool.query<RowDataPacket[]>(
    trigrams
      .map(
        (_, i) =>
          `SELECT ${i} AS i, (SELECT COUNT(*) FROM (SELECT 1 FROM dead_letter_trigrams
             WHERE trigram = ? LIMIT ${COMMON_TRIGRAM_ROWS}) x) AS n`,
      )
      .join(' UNION ALL '),
    trigrams,
  );
  const weighed = rows
    .map((r) => ({ trigram: trigrams[Number(r.i)]!, rows: Number(r.n) }))
    .sort((a, b) => a.rows - b.rows);
  if (weighed[0]!.rows >= COMMON_TRIGRAM_ROWS) return { ...filter, bodyTrigrams: [] };
  // fewer than COMMON_TRIGRAM_ROWS rows hold the rarest: their ids, read once, serve the page
  // and the count alike
  const rarest = weighed.slice(0, USED).map((w) => w.trigram);
  const candidates = trigramCandidates(rarest)!;
  const [ids] = await pool.query<RowDataPacket[]>(candidates.sql, candidates.params);
  return {
    ...filter,
    bodyTrigrams: rarest,
    bodyCandidates: ids.map((r) => Number(r.dead_letter_id)),
  };
}
