import { randomUUID } from 'node:crypto';
import {
  AppError,
  auditStatement,
  yearCategoryOf,
  type AuditOrigin,
  type GameAction,
} from '@retro/common';
import { gameTermsReplacement, gameTermsStatement, journeyInsert } from '@retro/database';
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
import { changedFields, checkVersion, editableFields, hasChanges } from './game-changes.js';

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
  origin: AuditOrigin | null,
): Statement[] {
  return [
    outbox.insertEvent({ eventId, gameId, action, payload }),
    tasks.insertTask({ messageId: eventId, type: 'game', gameId, action }),
    ...(origin ? [writtenStatement(eventId, action, origin)] : []),
  ];
}

/** Who the `written` step names, or null when journeys are not recorded (JOURNEY_ENABLED). */
const journeyOrigin = (ctx: DomainContext, origin: AuditOrigin) =>
  ctx.recordJourney ? origin : null;

/** The first step of the event's journey: the change that wrote it, and who asked for it. */
function writtenStatement(eventId: string, action: GameAction, origin: AuditOrigin): Statement {
  return journeyInsert(
    [
      {
        messageId: eventId,
        at: null,
        stage: 'written',
        service: origin.service,
        instance: null,
        detail: { action, requestId: origin.requestId, actor: origin.actor },
      },
    ],
    { bounded: false },
  )!;
}

function afterCommit(ctx: DomainContext, eventId: string) {
  ctx.eventsWritten(1);
  ctx.taskWritten(eventId);
}

/** The new game's id, kept by the server between the statements of the create. */
const NEW_GAME_ID = '@new_game_id';

/**
 * One round trip: the game, its event, its pending task and its audit row go to the server as one
 * transaction in a single multi-statement query, as this is the API's hottest write. The server
 * knows the new id before we do, so it writes it into the event and the audit row itself.
 */
export async function createGame(
  ctx: DomainContext,
  origin: AuditOrigin,
  input: GameInput,
): Promise<games.VersionedGame> {
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
    ...eventStatements(eventId, NEW_GAME_ID, 'create', payload, journeyOrigin(ctx, origin)),
    ...(terms ? [terms] : []),
    auditStatement(origin, {
      action: 'game.create',
      target: 'game:',
      targetIdVariable: NEW_GAME_ID,
      detail: { before: null, after: editableFields(fields) },
    }),
  ]).catch(translateDbError);
  const game = { ...created, id: inserted!.insertId };
  ctx.logger.info('game created', { gameId: game.id, eventId });
  afterCommit(ctx, eventId);
  return { game, version: 1 };
}

/**
 * Replaces a game's editable fields; `expected`: the versions `If-Match` allows (null: any). The
 * row is locked, then checked, then written in one more round trip, so of two writers holding
 * the same version exactly one wins. The version moves on only when a field changes: an update
 * that changes nothing keeps it (a client repeating a PUT whose answer it lost still matches),
 * though it still sends the game through processing again, as it always did.
 */
export async function updateGame(
  ctx: DomainContext,
  origin: AuditOrigin,
  id: number,
  input: GameInput,
  expected: readonly number[] | null = null,
): Promise<games.VersionedGame> {
  const fields = toFields(input);
  const eventId = randomUUID();
  const at = new Date();
  const names = await ctx.names.of(fields.platformId, fields.genreId);
  const result = await withTransaction(ctx.pool, async (connection) => {
    const current = await games.findGame(connection, id, true);
    if (!current) throw AppError.notFound(`Game ${id}`);
    checkVersion(id, current.version, expected);
    const detail = changedFields(current.game, fields);
    const version = current.version + (hasChanges(detail) ? 1 : 0);
    const game: games.Game = {
      ...current.game,
      ...fields,
      ...names,
      processingStatus: 'pending',
      updatedAt: at.toISOString(),
    };
    const retitled = ['title', 'developer'].some((f) => f in (detail.after ?? {}));
    await inOneQuery(connection, [
      games.updateGame(id, fields, { eventId, version, at }),
      ...(retitled ? gameTermsReplacement({ id, ...fields }) : []),
      ...eventStatements(
        eventId,
        id,
        'update',
        eventBody(eventId, id, 'update', game),
        journeyOrigin(ctx, origin),
      ),
      auditStatement(origin, { action: 'game.update', target: `game:${id}`, detail }),
    ]).catch(translateDbError);
    return { game, version };
  });
  ctx.logger.info('game updated', { gameId: id, eventId });
  afterCommit(ctx, eventId);
  return result;
}

/** Deletes a game; `expected` as for `updateGame`. */
export async function deleteGame(
  ctx: DomainContext,
  origin: AuditOrigin,
  id: number,
  expected: readonly number[] | null = null,
): Promise<void> {
  const eventId = randomUUID();
  await withTransaction(ctx.pool, async (connection) => {
    const current = await games.findGame(connection, id, true);
    if (!current) throw AppError.notFound(`Game ${id}`);
    checkVersion(id, current.version, expected);
    const detail = { before: editableFields(current.game), after: null };
    await inOneQuery(connection, [
      games.deleteGame(id),
      ...eventStatements(
        eventId,
        id,
        'delete',
        eventBody(eventId, id, 'delete', current.game),
        journeyOrigin(ctx, origin),
      ),
      auditStatement(origin, { action: 'game.delete', target: `game:${id}`, detail }),
    ]);
  });
  ctx.logger.info('game deleted', { gameId: id, eventId });
  afterCommit(ctx, eventId);
}

/** The statements as one multi-statement query in the caller's transaction: one round trip. */
async function inOneQuery(connection: mysql.PoolConnection, statements: Statement[]) {
  await connection.query(
    statements.map((s) => s.sql).join(';\n'),
    statements.flatMap((s) => s.params),
  );
}
