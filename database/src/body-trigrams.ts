import type mysql from 'mysql2/promise';

type Queryable = mysql.Pool | mysql.Connection | mysql.PoolConnection;

/** The shortest text the trigram index can narrow; shorter ones scan (docs/producer.md). */
export const TRIGRAM = 3;

/** Rows per INSERT: a long body's trigrams go in several statements of a bounded size. */
const ROWS_PER_INSERT = 5000;

/**
 * The distinct three-character pieces of `text`, in characters (code points, as the database
 * counts them), exactly as written: the column's collation does the case folding, the same one
 * the LIKE that confirms a match uses, so the index and the LIKE always agree.
 */
export function trigramsOf(text: string): string[] {
  const chars = [...text];
  const seen = new Set<string>();
  for (let i = 0; i + TRIGRAM <= chars.length; i++) seen.add(chars.slice(i, i + TRIGRAM).join(''));
  return [...seen];
}

/**
 * Up to `most` trigrams of a search text, spread over it (first, last and between): every body
 * that contains the text holds all of them, so they narrow the candidates; the LIKE that follows
 * decides. Empty for a text shorter than three characters.
 */
export function searchTrigrams(text: string, most = 4): string[] {
  const all = trigramsOf(text);
  if (all.length <= most) return all;
  const picked = new Set<string>();
  for (let i = 0; i < most; i++) picked.add(all[Math.round((i * (all.length - 1)) / (most - 1))]!);
  return [...picked];
}

/** A body to index: its archive row id and its text (UTF-8 bodies only: base64 is never searched). */
export interface IndexedBody {
  id: number;
  body: string;
}

/** Writes the trigrams of archived bodies; run in the transaction that archives them. */
export async function indexBodies(db: Queryable, bodies: IndexedBody[]): Promise<number> {
  const rows = bodies.flatMap(({ id, body }) => trigramsOf(body).map((t) => [t, id]));
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    // two pieces the collation takes for one (case, some accents) are one key: the first one stays
    await db.query(
      `INSERT INTO dead_letter_trigrams (trigram, dead_letter_id) VALUES ?
       ON DUPLICATE KEY UPDATE dead_letter_id = dead_letter_id`,
      [rows.slice(start, start + ROWS_PER_INSERT)],
    );
  }
  return rows.length;
}

/**
 * Indexes the UTF-8 bodies archived before the index existed (run by the migrate step after
 * migration 017), `batch` rows at a time by id. Rows already indexed are skipped, so a run that
 * was stopped half-way is finished by the next.
 */
export async function indexUnindexedDeadLetters(db: Queryable, batch = 500): Promise<number> {
  let after = 0;
  let indexed = 0;
  for (;;) {
    const [rows] = await db.query<mysql.RowDataPacket[]>(
      `SELECT d.id, d.body FROM dead_letters d
        WHERE d.id > ? AND d.body_encoding = 'utf8'
          AND NOT EXISTS (SELECT 1 FROM dead_letter_trigrams t WHERE t.dead_letter_id = d.id)
        ORDER BY d.id LIMIT ?`,
      [after, batch],
    );
    if (rows.length === 0) return indexed;
    await indexBodies(
      db,
      rows.map((r) => ({ id: Number(r.id), body: String(r.body) })),
    );
    indexed += rows.length;
    after = Number(rows[rows.length - 1]!.id);
  }
}
