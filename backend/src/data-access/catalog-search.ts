import { searchTokens, TERM_FIELD } from '@retro/common';
import type { Queryable, Row } from './db.js';

/** `LIKE` pattern for terms starting with `prefix`: `%`, `_` and `\` match themselves. */
const startsWith = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The games whose title or developer hold every token of `search`, from the word index
 * (`game_search_terms`), with their relevance: per token the best of its matches, a title word
 * counting more than a developer's, a whole word more than a prefix of one, the title's first
 * word a little more; then fewer title words first ("Doom" before "Doom II"). `filter` is a
 * condition on the games (alias g) that the matches must also meet. Returns the derived table's
 * SQL (columns game_id, score, words, total) and its parameters; empty when the search has no
 * token, which then matches nothing.
 */
export function searchMatches(
  search: string,
  filter: { sql: string; params: unknown[] },
): { sql: string; params: unknown[] } | null {
  const tokens = searchTokens(search);
  if (tokens.length === 0) return null;
  const params: unknown[] = [];
  const branches = tokens.map((token, i) => {
    params.push(token.term, token.prefix ? startsWith(token.term) : token.term);
    return `SELECT game_id, ${i} AS tok,
              IF(field = ${TERM_FIELD.title}, 10, 4) + IF(term = ?, 5, 0)
                + IF(field = ${TERM_FIELD.title} AND pos = 0, 2, 0) AS score, words
            FROM game_search_terms WHERE term ${token.prefix ? "LIKE ? ESCAPE '\\\\'" : '= ?'}`;
  });
  // the filter columns are all in idx_games_browse_id: checking a match reads no game row
  const join = filter.sql
    ? `JOIN games g FORCE INDEX (idx_games_browse_id) ON g.id = m.game_id ${filter.sql}`
    : '';
  params.push(tokens.length, ...filter.params);
  return {
    sql: `SELECT m.game_id, m.score, m.words, COUNT(*) OVER () AS total FROM (
            SELECT game_id, SUM(best) AS score, MIN(words) AS words FROM (
              SELECT game_id, tok, MAX(score) AS best, MIN(words) AS words
              FROM (${branches.join(' UNION ALL ')}) hits GROUP BY game_id, tok
            ) per_token GROUP BY game_id HAVING COUNT(*) = ?
          ) m ${join}`,
    params,
  };
}

/** A page of search results in relevance order, with how many games match in all. */
export async function searchPage(
  db: Queryable,
  matches: { sql: string; params: unknown[] },
  limit: number,
  offset: number,
): Promise<{ ids: number[]; total: number }> {
  const [rows] = await db.query<Row[]>(
    `${matches.sql} ORDER BY m.score DESC, m.words, m.game_id LIMIT ? OFFSET ?`,
    [...matches.params, limit, offset],
  );
  let total = rows[0] ? Number(rows[0].total) : 0;
  if (rows.length === 0 && offset > 0) {
    const [[row]] = await db.query<Row[]>(
      `SELECT COUNT(*) AS n FROM (${matches.sql}) counted`,
      matches.params,
    );
    total = Number(row!.n);
  }
  return { ids: rows.map((r) => Number(r.game_id)), total };
}
