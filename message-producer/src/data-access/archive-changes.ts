import { insertJourney, type JourneyRow } from '@retro/database';
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { DeadLetterType } from '../domain/archived-message.js';
import { fingerprintOf } from '../domain/fingerprint.js';
import {
  type DeadLetterFilter,
  type PageCursor,
  type SqlPart,
  andAlso,
  afterCursor,
  whereOf,
} from './archive-filter.js';
import { type DeadLetter, toDeadLetter } from './archive-rows.js';
import { addToGroups } from './archive-writes.js';

/** The newest archive id now: jobs stop there, so rows archived while they run are left alone. */
export async function latestArchiveId(pool: Pool): Promise<number> {
  const [[row]] = await pool.query<RowDataPacket[]>('SELECT MAX(id) AS id FROM dead_letters');
  return Number(row?.id ?? 0);
}

/** The ids in `ids` that are not in the archive (`deleted`: not among its deleted rows). */
export async function missingIds(pool: Pool, ids: number[], deleted = false): Promise<number[]> {
  if (ids.length === 0) return [];
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT id FROM dead_letters WHERE id IN (?) AND deleted_at IS ${deleted ? 'NOT ' : ''}NULL`,
    [ids],
  );
  const found = new Set(rows.map((r) => Number(r.id)));
  return ids.filter((id) => !found.has(id));
}

/**
 * Locks the next `limit` rows of `filter` after `cursor`, oldest parked first. Rows another
 * transaction holds (a concurrent replay job, an edit, a delete) are skipped rather than waited
 * for: whoever holds them is already dealing with them, so no row is replayed twice.
 */
export async function claimRows(
  connection: PoolConnection,
  filter: DeadLetterFilter,
  cursor: PageCursor | undefined,
  limit: number,
): Promise<DeadLetter[]> {
  const where = andAlso(whereOf(filter), afterCursor(cursor, '', true));
  const [rows] = await connection.query<RowDataPacket[]>(
    `SELECT * FROM dead_letters ${where.sql}
      ORDER BY parked_at, id LIMIT ? FOR UPDATE SKIP LOCKED`,
    [...where.params, limit],
  );
  return rows.map(toDeadLetter);
}

/** Locks one row for an edit; undefined when it is not archived (or deleted). */
export async function lockRow(
  connection: PoolConnection,
  id: number,
): Promise<DeadLetter | undefined> {
  const [rows] = await connection.query<RowDataPacket[]>(
    'SELECT * FROM dead_letters WHERE id = ? AND deleted_at IS NULL FOR UPDATE',
    [id],
  );
  return rows[0] ? toDeadLetter(rows[0]) : undefined;
}

/**
 * Marks rows whose copy the broker confirmed and routed, with the id each copy went out under: one
 * statement for the copies that kept their message id (all of a plain replay's, as a rule).
 */
export async function markReplayed(
  connection: PoolConnection,
  copies: { id: number; messageId: string | null; sentAs: string }[],
  by: string | null,
  at = new Date(),
): Promise<void> {
  await insertJourney(connection, replayedSteps(copies, by, at), { bounded: false });
  const sameId = copies.filter((c) => c.sentAs === c.messageId).map((c) => c.id);
  if (sameId.length > 0) {
    await connection.query(
      `UPDATE dead_letters SET replayed_at = ?, replay_count = replay_count + 1,
         replayed_as = message_id WHERE id IN (?)`,
      [at, sameId],
    );
  }
  for (const { id, sentAs } of copies.filter((c) => c.sentAs !== c.messageId)) {
    await connection.query(
      `UPDATE dead_letters SET replayed_at = ?, replay_count = replay_count + 1, replayed_as = ?
        WHERE id = ?`,
      [at, sentAs, id],
    );
  }
}

/** A row a delete or a restore changed: what the audit trail and the group counts need. */
export interface ChangedRow {
  id: number;
  messageId: string | null;
  groupId: string;
  type: DeadLetterType;
  reason: string | null;
  parkedAt: Date;
}

/**
 * Locks the next `limit` rows of `filter` after `cursor`, oldest parked first. Unlike a replay's
 * claim this waits for rows another transaction holds: a delete or restore must not miss them.
 */
async function lockBatch(
  connection: PoolConnection,
  filter: DeadLetterFilter,
  cursor: PageCursor | undefined,
  limit: number,
  extra: SqlPart = { sql: '', params: [] },
): Promise<ChangedRow[]> {
  const where = andAlso(andAlso(whereOf(filter), afterCursor(cursor, '', true)), extra);
  const [rows] = await connection.query<RowDataPacket[]>(
    `SELECT id, message_id, group_id, type, reason, parked_at FROM dead_letters ${where.sql}
      ORDER BY parked_at, id LIMIT ? FOR UPDATE`,
    [...where.params, limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    messageId: r.message_id ?? null,
    groupId: r.group_id,
    type: r.type,
    reason: r.reason ?? null,
    parkedAt: r.parked_at,
  }));
}

/**
 * Marks the next `limit` live rows of `filter` after `cursor` (oldest first) deleted, by whom,
 * and takes them off their groups' counts, in the caller's transaction. The rows stay until the
 * purge (purgeDeleted): an operator may restore them until then. Answers the rows deleted.
 */
export async function deleteRows(
  connection: PoolConnection,
  filter: DeadLetterFilter,
  cursor: PageCursor | undefined,
  limit: number,
  deletedBy: string | null,
  at = new Date(),
): Promise<ChangedRow[]> {
  const deleted = await lockBatch(connection, { ...filter, deleted: false }, cursor, limit);
  if (deleted.length === 0) return deleted;
  await connection.query('UPDATE dead_letters SET deleted_at = ?, deleted_by = ? WHERE id IN (?)', [
    at,
    deletedBy,
    deleted.map((d) => d.id),
  ]);
  await takeFromGroups(connection, deleted);
  return deleted;
}

/**
 * Brings the next `limit` deleted rows of `filter` after `cursor` back and adds them to their
 * groups' counts again, as the archiver does (a group emptied by the delete is made anew, its
 * fingerprint read again from the reason). Answers the rows restored.
 */
export async function restoreRows(
  connection: PoolConnection,
  filter: DeadLetterFilter,
  cursor: PageCursor | undefined,
  limit: number,
): Promise<ChangedRow[]> {
  const restored = await lockBatch(connection, { ...filter, deleted: true }, cursor, limit);
  if (restored.length === 0) return restored;
  await connection.query(
    'UPDATE dead_letters SET deleted_at = NULL, deleted_by = NULL WHERE id IN (?)',
    [restored.map((r) => r.id)],
  );
  await addToGroups(
    connection,
    restored.map((r) => ({ ...r, fingerprint: fingerprintOf(r.reason) })),
  );
  return restored;
}

/**
 * Removes for good up to `limit` rows deleted before `before`, oldest deletion first: one short
 * statement per call (the caller loops with pauses). Their groups' counts left them at the delete.
 */
export async function purgeDeleted(
  db: Pool | PoolConnection,
  before: Date,
  limit: number,
): Promise<number> {
  const [result] = await db.query<ResultSetHeader>(
    'DELETE FROM dead_letters WHERE deleted_at < ? ORDER BY deleted_at LIMIT ?',
    [before, limit],
  );
  return result.affectedRows;
}

/**
 * Removes for good up to `limit` live rows parked before `before` (DEAD_LETTER_RETENTION_MS),
 * oldest first, and takes them off their groups' counts, in the caller's transaction; their
 * trigrams go with them (foreign key). Answers the rows removed.
 */
export async function expireRows(
  connection: PoolConnection,
  before: Date,
  limit: number,
): Promise<number> {
  // archived before the cut-off, not only parked before it: a message parked long ago (an old
  // x-failed-at, or a broker dead-letter whose parking time is its publish time) archived today
  // is kept for the whole retention; the parked-time bound lets idx_dead_letters_parked narrow it
  const expired = await lockBatch(connection, { to: before, deleted: false }, undefined, limit, {
    sql: 'archived_at < ?',
    params: [before],
  });
  if (expired.length === 0) return 0;
  await takeFromGroups(connection, expired);
  const [result] = await connection.query<ResultSetHeader>(
    'DELETE FROM dead_letters WHERE id IN (?)',
    [expired.map((r) => r.id)],
  );
  return result.affectedRows;
}

/**
 * Lowers the groups' counts by what was deleted (groups locked in id order, as the archiver
 * does), reads their first and last parking again from their live rows, and drops emptied groups
 * (a restore makes them anew).
 */
async function takeFromGroups(connection: PoolConnection, deleted: ChangedRow[]): Promise<void> {
  const byGroup = new Map<string, Record<DeadLetterType, number>>();
  for (const d of deleted) {
    const counts = byGroup.get(d.groupId) ?? { game: 0, custom: 0, other: 0 };
    counts[d.type] += 1;
    byGroup.set(d.groupId, counts);
  }
  const groupIds = [...byGroup.keys()].sort();
  for (const groupId of groupIds) {
    const c = byGroup.get(groupId)!;
    // counts are exact, but never let a drift make the unsigned columns fail the delete
    await connection.query(
      `UPDATE dead_letter_groups SET
         message_count = GREATEST(CAST(message_count AS SIGNED) - ?, 0),
         game_count = GREATEST(CAST(game_count AS SIGNED) - ?, 0),
         custom_count = GREATEST(CAST(custom_count AS SIGNED) - ?, 0),
         other_count = GREATEST(CAST(other_count AS SIGNED) - ?, 0)
       WHERE group_id = ?`,
      [c.game + c.custom + c.other, c.game, c.custom, c.other, groupId],
    );
  }
  await connection.query(
    `UPDATE dead_letter_groups g SET
       first_parked_at = COALESCE(
         (SELECT MIN(parked_at) FROM dead_letters d
           WHERE d.group_id = g.group_id AND d.deleted_at IS NULL), first_parked_at),
       last_parked_at = COALESCE(
         (SELECT MAX(parked_at) FROM dead_letters d
           WHERE d.group_id = g.group_id AND d.deleted_at IS NULL), last_parked_at)
     WHERE g.group_id IN (?) AND g.message_count > 0`,
    [groupIds],
  );
  await connection.query(
    'DELETE FROM dead_letter_groups WHERE group_id IN (?) AND message_count = 0',
    [groupIds],
  );
}

/**
 * The `replayed` step of each original's journey (who, and the copy's id), and of each copy sent
 * under a new id (the original it replays), so either journey leads to the other.
 */
function replayedSteps(
  copies: { messageId: string | null; sentAs: string }[],
  by: string | null,
  at: Date,
): JourneyRow[] {
  const step = (messageId: string, detail: Record<string, unknown>): JourneyRow => ({
    messageId,
    at,
    stage: 'replayed',
    service: 'producer',
    instance: null,
    detail: { by, ...detail },
  });
  return copies.flatMap(({ messageId, sentAs }) => [
    ...(messageId ? [step(messageId, { newMessageId: sentAs })] : []),
    ...(sentAs !== messageId ? [step(sentAs, { replayOf: messageId })] : []),
  ]);
}
