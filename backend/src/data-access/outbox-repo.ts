import { journeyInsert } from '@retro/database';
import {
  jsonText,
  valueOrVariable,
  type Queryable,
  type Result,
  type Row,
  type SessionVariable,
  type Statement,
} from './db.js';

export interface OutboxEvent {
  id: number;
  eventId: string;
  gameId: number | null;
  /** The message body, as JSON text. */
  payload: string;
}

/**
 * Inserts an event. The payload is the message body as JSON text; when the game id is a session
 * variable (a game inserted earlier in the same round trip), the server writes it into the
 * payload's `gameId` and `gameData.id` too.
 */
export function insertEvent(event: {
  eventId: string;
  gameId: number | SessionVariable;
  action: string;
  payload: string;
}): Statement {
  const gameId = valueOrVariable(event.gameId);
  const payload =
    gameId.params.length === 0
      ? `JSON_SET(?, '$.gameId', ${gameId.sql}, '$.gameData.id', ${gameId.sql})`
      : '?';
  return {
    sql: `INSERT INTO outbox_events (event_id, game_id, action, payload)
     VALUES (?, ${gameId.sql}, ?, ${payload})`,
    params: [event.eventId, ...gameId.params, event.action, event.payload],
  };
}

/**
 * Locks up to `limit` unpublished events, oldest first. Rows another relay holds are skipped, so
 * several backends never publish the same row at once.
 */
export async function claimUnpublished(db: Queryable, limit: number): Promise<OutboxEvent[]> {
  const [rows] = await db.query<Row[]>(
    `SELECT id, event_id, game_id, payload FROM outbox_events
     WHERE published_at IS NULL ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    eventId: r.event_id,
    gameId: r.game_id,
    payload: jsonText(r.payload),
  }));
}

/** Unpublished events of these games up to `maxId`, claimed or not (a plain consistent read). */
export async function unpublishedOfGames(
  db: Queryable,
  gameIds: number[],
  maxId: number,
): Promise<{ id: number; gameId: number }[]> {
  if (gameIds.length === 0) return [];
  const [rows] = await db.query<Row[]>(
    `SELECT id, game_id FROM outbox_events
     WHERE published_at IS NULL AND game_id IN (?) AND id <= ? ORDER BY id`,
    [gameIds, maxId],
  );
  return rows.map((r) => ({ id: Number(r.id), gameId: r.game_id }));
}

/**
 * Marks the events the broker confirmed and writes their `published` journey steps, in one round
 * trip (the relay's transaction); `instance` names the relay that published them, `sentAt` is when
 * it sent them (the consumer may well have them before their confirms come back).
 */
export async function markPublished(
  db: Queryable,
  events: ReadonlyArray<{ id: number; eventId: string }>,
  journeyOf: { instance: string; sentAt: Date } | null,
): Promise<void> {
  if (events.length === 0) return;
  const mark = 'UPDATE outbox_events SET published_at = CURRENT_TIMESTAMP(3) WHERE id IN (?)';
  const ids = events.map((e) => e.id);
  if (!journeyOf) {
    await db.query(mark, [ids]);
    return;
  }
  const { instance, sentAt } = journeyOf;
  const journey = journeyInsert(
    events.map((e) => ({
      messageId: e.eventId,
      at: sentAt,
      stage: 'published',
      service: 'relay',
      instance,
      detail: { confirmed: true },
    })),
    // one row per publish: again only when an operator re-queues the event
    { bounded: false },
  )!;
  await db.query(`${mark};\n${journey.sql}`, [ids, ...journey.params]);
}

export async function countFailedAttempt(db: Queryable, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    'UPDATE outbox_events SET publish_attempts = publish_attempts + 1 WHERE id IN (?)',
    [ids],
  );
}

/** Queues a published event to be published again; false when the event is unknown. */
export async function republish(db: Queryable, eventId: string): Promise<boolean> {
  const [result] = await db.query<Result>(
    'UPDATE outbox_events SET published_at = NULL WHERE event_id = ?',
    [eventId],
  );
  return result.affectedRows > 0;
}

/** How many events wait to be published, and how old the oldest is. */
export async function backlog(db: Queryable): Promise<{ count: number; oldestAgeMs: number }> {
  const [[row]] = await db.query<Row[]>(
    `SELECT COUNT(*) AS count,
            COALESCE(TIMESTAMPDIFF(MICROSECOND, MIN(created_at), CURRENT_TIMESTAMP(3)), 0) AS age
     FROM outbox_events WHERE published_at IS NULL`,
  );
  return { count: Number(row!.count), oldestAgeMs: Math.round(Number(row!.age) / 1000) };
}
