import { searchTokens, TERM_FIELD } from '@retro/common';
import type { Queryable, Row } from './db.js';

/** `LIKE` pattern for terms starting with `prefix`: `%`, `_` and `\` match themselves. */
const startsWith = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The games whose title or developer hold every token of `search`, from the word index
 * (`game_search_terms`), with their relevance: the sum over their matching words of a title word
 * 10, a developer's 4, +5 when the whole word matches (not just a prefix), +2 for the title's
 * first word; then fewer title words first ("Doom" before "Doom II"). `filter` is a condition on
 * the games (alias g) that the matches must also meet. Returns the SQL of the matches (columns
 * game_id, score, words and total, the number of matches) for the caller to order and page, and
 * its parameters; null when the search has no token, which matches nothing. One grouping over
 * the index ranges of the tokens: nesting a best-match-per-token grouping in it took 1.5–3 times
 * as long for the same order on common words.
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
    ? `JOIN games g FORCE INDEX (idx_games_browse_id) ON g.id = hits.game_id ${filter.sql}`
    : '';
  params.push(...filter.params);
  const having = tokens.length > 1 ? 'HAVING COUNT(DISTINCT hits.tok) = ?' : '';
  if (having) params.push(tokens.length);
  return {
    sql: `SELECT hits.game_id, SUM(hits.score) AS score, MIN(hits.words) AS words,
                 COUNT(*) OVER () AS total
          FROM (${branches.join(' UNION ALL ')}) hits ${join}
          GROUP BY hits.game_id ${having}`,
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
    `${matches.sql} ORDER BY score DESC, words, game_id LIMIT ? OFFSET ?`,
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
