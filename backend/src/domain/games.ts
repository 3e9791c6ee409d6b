import { randomUUID } from 'node:crypto';
import { AppError, yearCategoryOf, type GameAction } from '@retro/common';
import { gameTermsStatement, replaceGameTerms } from '@retro/database';
import type mysql from 'mysql2/promise';
import {
  transactionInOneTrip,
  withTransaction,
  type SessionVariable,
  type Statement,
} from '../data-access/db.js';
import * as games from '../data-access/games-repo.js';
import * as outbox from '../data-access/outbox-repo.js';
import * as tasks from '../data-access/tasks-repo.js';
import type { DomainContext } from './context.js';

export type GameInput = Omit<games.GameFields, 'yearCategory'> & { yearCategory?: string };

function toFields(input: GameInput): games.GameFields {
  const derived = yearCategoryOf(input.releaseYear);
  if (input.yearCategory !== undefined && input.yearCategory !== derived) {
    throw AppError.validation([
      {
        field: 'yearCategory',
        message: `must be "${derived}" for releaseYear ${input.releaseYear} (or be omitted)`,
      },
    ]);
  }
  return { ...input, yearCategory: derived };
}

/** Maps foreign-key failures to the field the client got wrong. */
function translateDbError(error: unknown): never {
  const e = error as { code?: string; message?: string };
  if (e.code === 'ER_NO_REFERENCED_ROW_2' || e.code === 'ER_NO_REFERENCED_ROW') {
    const field = e.message?.includes('fk_games_genre') ? 'genreId' : 'platformId';
    const what = field === 'genreId' ? 'genre' : 'platform';
    throw AppError.validation([{ field, message: `no ${what} with this id` }]);
  }
  throw error;
}

/** The event body, the message contract `{eventId, gameId, action, gameData, timestamp}`. */
function eventBody(eventId: string, gameId: number, action: GameAction, gameData: unknown) {
  return JSON.stringify({
    eventId,
    gameId,
    action,
    gameData,
    timestamp: new Date().toISOString(),
  });
}

/** The outbox event and the pending task of a change to game `gameId`. */
function eventStatements(
  eventId: string,
  gameId: number | SessionVariable,
  action: GameAction,
  payload: string,
): Statement[] {
  return [
    outbox.insertEvent({ eventId, gameId, action, payload }),
    tasks.insertTask({ messageId: eventId, type: 'game', gameId, action }),
  ];
}

/** Writes the outbox event and its pending task in the caller's transaction. */
async function recordEvent(
  connection: mysql.PoolConnection,
  eventId: string,
  gameId: number,
  action: GameAction,
  gameData: unknown,
) {
  const payload = eventBody(eventId, gameId, action, gameData);
  for (const { sql, params } of eventStatements(eventId, gameId, action, payload)) {
    await connection.query(sql, params);
  }
}

function afterCommit(ctx: DomainContext, eventId: string) {
  ctx.eventsWritten(1);
  ctx.taskWritten(eventId);
}

/** The new game's id, kept by the server between the statements of the create. */
const NEW_GAME_ID = '@new_game_id';

/**
 * One round trip: the game, its event and its pending task go to the server as one transaction
 * in a single multi-statement query, as this is the API's hottest write. The server knows the
 * new id before we do, so it writes it into the event itself.
 */
export async function createGame(ctx: DomainContext, input: GameInput): Promise<games.Game> {
  const fields = toFields(input);
  const eventId = randomUUID();
  const at = new Date();
  // the insert passes its foreign keys or fails, so these names are right: no need to read back
  const names = await ctx.names.of(fields.platformId, fields.genreId);
  const created: games.Game = {
    id: 0,
    ...fields,
    ...names,
    processingStatus: 'pending',
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
  };
  const payload = eventBody(eventId, 0, 'create', created);
  const terms = gameTermsStatement(fields, NEW_GAME_ID);
  const [inserted] = await transactionInOneTrip(ctx.pool, [
    games.insertGame(fields, eventId, at),
    { sql: `SET ${NEW_GAME_ID} = LAST_INSERT_ID()`, params: [] },
    ...eventStatements(eventId, NEW_GAME_ID, 'create', payload),
    ...(terms ? [terms] : []),
  ]).catch(translateDbError);
  const game = { ...created, id: inserted!.insertId };
  ctx.logger.info('game created', { gameId: game.id, eventId });
  afterCommit(ctx, eventId);
  return game;
}

export async function updateGame(
  ctx: DomainContext,
  id: number,
  input: GameInput,
): Promise<games.Game> {
  const fields = toFields(input);
  const eventId = randomUUID();
  const game = await withTransaction(ctx.pool, async (connection) => {
    const found = await games.updateGame(connection, id, fields, eventId).catch(translateDbError);
    if (!found) throw AppError.notFound(`Game ${id}`);
    await replaceGameTerms(connection, { id, title: fields.title, developer: fields.developer });
    const updated = (await games.findGame(connection, id))!;
    await recordEvent(connection, eventId, id, 'update', updated);
    return updated;
  });
  ctx.logger.info('game updated', { gameId: id, eventId });
  afterCommit(ctx, eventId);
  return game;
}

export async function deleteGame(ctx: DomainContext, id: number): Promise<void> {
  const eventId = randomUUID();
  await withTransaction(ctx.pool, async (connection) => {
    const existing = await games.findGame(connection, id, true);
    if (!existing) throw AppError.notFound(`Game ${id}`);
    await games.deleteGame(connection, id);
    await recordEvent(connection, eventId, id, 'delete', existing);
  });
  ctx.logger.info('game deleted', { gameId: id, eventId });
  afterCommit(ctx, eventId);
}
