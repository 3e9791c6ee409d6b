import { gameTerms, titleWords } from '@retro/common';
import type mysql from 'mysql2/promise';
import { valueOrVariable, type SessionVariable, type Statement } from './transaction.js';

type Queryable = mysql.Pool | mysql.Connection | mysql.PoolConnection;

/** What the word index is made from. */
export interface IndexedGame {
  id: number;
  title: string;
  developer: string;
}

/** The rows of `game_search_terms` for these games, as `[term, game_id, field, pos, words]`. */
export function termRows(games: IndexedGame[]): unknown[][] {
  return games.flatMap((game) => {
    const words = titleWords(game.title);
    return gameTerms(game.title, game.developer).map((t) => [
      t.term,
      game.id,
      t.field,
      t.pos,
      words,
    ]);
  });
}

/** Adds the terms of games that have none yet (new games), in one statement. */
export async function insertGameTerms(db: Queryable, games: IndexedGame[]): Promise<void> {
  const rows = termRows(games);
  if (rows.length === 0) return;
  await db.query('INSERT INTO game_search_terms (term, game_id, field, pos, words) VALUES ?', [
    rows,
  ]);
}

/**
 * The terms of one new game as a statement, for a transaction sent in one round trip: its id
 * may be a session variable set by an earlier statement. Null when it has no terms.
 */
export function gameTermsStatement(
  game: Omit<IndexedGame, 'id'>,
  gameId: number | SessionVariable,
): Statement | null {
  const rows = termRows([{ ...game, id: 0 }]);
  if (rows.length === 0) return null;
  const id = valueOrVariable(gameId);
  return {
    sql: `INSERT INTO game_search_terms (term, game_id, field, pos, words) VALUES ${rows
      .map(() => `(?, ${id.sql}, ?, ?, ?)`)
      .join(', ')}`,
    params: rows.flatMap(([term, , field, pos, words]) => [term, ...id.params, field, pos, words]),
  };
}

/**
 * The statements that replace a game's terms after its title or developer changed, for a
 * transaction sent in one round trip.
 */
export function gameTermsReplacement(game: IndexedGame): Statement[] {
  const insert = gameTermsStatement(game, game.id);
  return [
    { sql: 'DELETE FROM game_search_terms WHERE game_id = ?', params: [game.id] },
    ...(insert ? [insert] : []),
  ];
}

/** Replaces a game's terms after its title or developer may have changed. */
export async function replaceGameTerms(db: Queryable, game: IndexedGame): Promise<void> {
  await db.query('DELETE FROM game_search_terms WHERE game_id = ?', [game.id]);
  await insertGameTerms(db, [game]);
}

/**
 * Indexes every game that has no terms: the games written before the index existed (run by the
 * migrate step after migration 008), in batches of `batch` games by id.
 */
export async function indexUnindexedGames(db: Queryable, batch = 2000): Promise<number> {
  let after = 0;
  let indexed = 0;
  for (;;) {
    const [rows] = await db.query<mysql.RowDataPacket[]>(
      `SELECT g.id, g.title, g.developer FROM games g
       WHERE g.id > ? AND NOT EXISTS (SELECT 1 FROM game_search_terms t WHERE t.game_id = g.id)
       ORDER BY g.id LIMIT ?`,
      [after, batch],
    );
    if (rows.length === 0) return indexed;
    await insertGameTerms(
      db,
      rows.map((r) => ({ id: r.id as number, title: r.title as string, developer: r.developer })),
    );
    indexed += rows.length;
    after = rows[rows.length - 1]!.id as number;
  }
}
