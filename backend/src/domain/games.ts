import { randomUUID } from 'node:crypto';
import { AppError, yearCategoryOf, type GameAction } from '@retro/common';
import type mysql from 'mysql2/promise';
import { withTransaction } from '../data-access/db.js';
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

/**
 * Writes the outbox event and its pending task in the caller's transaction. The event body is
 * the message contract `{eventId, gameId, action, gameData, timestamp}`.
 */
async function recordEvent(
  connection: mysql.PoolConnection,
  eventId: string,
  gameId: number,
  action: GameAction,
  gameData: unknown,
) {
  const payload = { eventId, gameId, action, gameData, timestamp: new Date().toISOString() };
  await outbox.insertEvent(connection, { eventId, gameId, action, payload });
  await tasks.insertTask(connection, { messageId: eventId, type: 'game', gameId, action });
}

function afterCommit(ctx: DomainContext, eventId: string) {
  ctx.eventsWritten(1);
  ctx.taskWritten(eventId);
}

export async function createGame(ctx: DomainContext, input: GameInput): Promise<games.Game> {
  const fields = toFields(input);
  const eventId = randomUUID();
  const at = new Date();
  // read before the transaction: a cache miss must not wait for a pool connection while holding one
  const names = await ctx.names.of(fields.platformId, fields.genreId);
  const game = await withTransaction(ctx.pool, async (connection) => {
    const id = await games.insertGame(connection, fields, eventId, at).catch(translateDbError);
    // the insert passed its foreign keys, so the names are right; no need to read the game back
    const created: games.Game = {
      id,
      ...fields,
      ...names,
      processingStatus: 'pending',
      createdAt: at.toISOString(),
      updatedAt: at.toISOString(),
    };
    await recordEvent(connection, eventId, id, 'create', created);
    return created;
  });
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
