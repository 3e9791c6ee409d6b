import type { Game, TaskStatus } from '@retro/common';
import { iso, type Queryable, type Result, type Row, type Statement } from './db.js';

export type { Game };
export { GAME_SORTS, listGames, type GameFilter, type GameSort } from './catalog-pages.js';

export interface GameFields {
  title: string;
  platformId: number;
  genreId: number;
  developer: string;
  releaseYear: number;
  yearCategory: string;
  description: string;
  imageUrl: string | null;
}

export const SELECT_GAME = `
  SELECT g.id, g.title, g.platform_id, p.name AS platform_name, g.genre_id, gr.name AS genre_name,
         g.developer, g.release_year, g.year_category, g.description, g.image_url,
         g.processing_status, g.created_at, g.updated_at, g.version
  FROM games g
  JOIN platforms p ON p.id = g.platform_id
  JOIN genres gr ON gr.id = g.genre_id`;

export function toGame(row: Row): Game {
  return {
    id: row.id,
    title: row.title,
    platformId: row.platform_id,
    platformName: row.platform_name,
    genreId: row.genre_id,
    genreName: row.genre_name,
    developer: row.developer,
    releaseYear: row.release_year,
    yearCategory: row.year_category,
    description: row.description,
    imageUrl: row.image_url,
    processingStatus: row.processing_status,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}

/** A game and the version of its editable fields (its ETag), which the game's JSON leaves out. */
export interface VersionedGame {
  game: Game;
  version: number;
}

/** The game, or null; `forUpdate` locks its row until the transaction ends. */
export async function findGame(
  db: Queryable,
  id: number,
  forUpdate = false,
): Promise<VersionedGame | null> {
  const [rows] = await db.query<Row[]>(
    `${SELECT_GAME} WHERE g.id = ?${forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] ? { game: toGame(rows[0]), version: Number(rows[0].version) } : null;
}

/** Inserts a new game at version 1, pending, with `eventId` as its newest event; its id is LAST_INSERT_ID(). */
export function insertGame(fields: GameFields, eventId: string, at: Date): Statement {
  return {
    sql: `INSERT INTO games (title, platform_id, genre_id, developer, release_year, year_category,
                        description, image_url, processing_status, last_event_id,
                        created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
    params: [...fieldValues(fields), eventId, at, at],
  };
}

/**
 * Replaces a game's fields at `at`, sets its version to `version` and makes `eventId` its newest
 * event. For a row the transaction has locked (`findGame(…, true)`), so it exists.
 */
export function updateGame(
  id: number,
  fields: GameFields,
  change: { eventId: string; version: number; at: Date },
): Statement {
  return {
    sql: `UPDATE games SET title = ?, platform_id = ?, genre_id = ?, developer = ?, release_year = ?,
                      year_category = ?, description = ?, image_url = ?,
                      processing_status = 'pending', last_event_id = ?, version = ?, updated_at = ?
     WHERE id = ?`,
    params: [...fieldValues(fields), change.eventId, change.version, change.at, id],
  };
}

export function deleteGame(id: number): Statement {
  return { sql: 'DELETE FROM games WHERE id = ?', params: [id] };
}

/**
 * Sets a game's processing status from the task of message `messageId`, when that message is the
 * game's newest catalog event (`last_event_id`), or the game has none (a game from before the
 * outbox). Any other message, an older event or a tester's message about the game, leaves it
 * alone. The rule needs nothing but the game row, so it holds after old events are pruned.
 */
export async function setStatusFromMessage(
  db: Queryable,
  gameId: number,
  status: TaskStatus,
  messageId: string | null,
): Promise<boolean> {
  const [result] = await db.query<Result>(
    messageId === null
      ? 'UPDATE games SET processing_status = ? WHERE id = ?'
      : `UPDATE games SET processing_status = ?
         WHERE id = ?
           AND (last_event_id IS NULL OR last_event_id = ?)`,
    messageId === null ? [status, gameId] : [status, gameId, messageId],
  );
  return result.affectedRows > 0;
}

/**
 * `setStatusFromMessage` for several games in one statement; each game may appear once. The
 * primary key is walked in id order, so concurrent batches lock games in the same order.
 */
export async function setStatusesFromMessages(
  db: Queryable,
  changes: { gameId: number; status: TaskStatus; messageId: string }[],
): Promise<void> {
  const byGame = (pick: (c: (typeof changes)[number]) => unknown) => ({
    sql: `CASE games.id ${changes.map(() => 'WHEN ? THEN ?').join(' ')} END`,
    params: changes.flatMap((c) => [c.gameId, pick(c)]),
  });
  const status = byGame((c) => c.status);
  const messageId = byGame((c) => c.messageId);
  await db.query<Result>(
    `UPDATE games SET processing_status = ${status.sql}
     WHERE id IN (?)
       AND (last_event_id IS NULL OR last_event_id = ${messageId.sql})`,
    [...status.params, changes.map((c) => c.gameId), ...messageId.params],
  );
}

export async function gameExists(db: Queryable, id: number): Promise<boolean> {
  const [rows] = await db.query<Row[]>('SELECT 1 FROM games WHERE id = ?', [id]);
  return rows.length > 0;
}

/** Games whose processing is not finished: the original processing page's feed. */
export async function listUnfinished(db: Queryable, limit = 500) {
  const [rows] = await db.query<Row[]>(
    `SELECT id, title, processing_status FROM games
     WHERE processing_status IN ('pending', 'processing') ORDER BY id DESC LIMIT ?`,
    [limit],
  );
  return rows.map((r) => ({
    id: r.id as number,
    title: r.title as string,
    processingStatus: r.processing_status as TaskStatus,
  }));
}

function fieldValues(f: GameFields) {
  return [
    f.title,
    f.platformId,
    f.genreId,
    f.developer,
    f.releaseYear,
    f.yearCategory,
    f.description,
    f.imageUrl,
  ];
}

export async function listPlatforms(db: Queryable) {
  const [rows] = await db.query<Row[]>(
    'SELECT id, name, manufacturer, release_year FROM platforms ORDER BY name',
  );
  return rows.map((r) => ({
    id: r.id as number,
    name: r.name as string,
    manufacturer: r.manufacturer as string | null,
    releaseYear: r.release_year as number | null,
  }));
}

export async function listGenres(db: Queryable) {
  const [rows] = await db.query<Row[]>('SELECT id, name, description FROM genres ORDER BY name');
  return rows.map((r) => ({
    id: r.id as number,
    name: r.name as string,
    description: r.description as string | null,
  }));
}
