import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { DeadLetterType } from '../domain/archived-message.js';
import {
  type DeadLetterFilter,
  type PageCursor,
  andAlso,
  afterCursor,
  whereOf,
} from './archive-filter.js';
import { type DeadLetter, toDeadLetter } from './archive-rows.js';

/** The newest archive id now: jobs stop there, so rows archived while they run are left alone. */
export async function latestArchiveId(pool: Pool): Promise<number> {
  const [[row]] = await pool.query<RowDataPacket[]>('SELECT MAX(id) AS id FROM dead_letters');
  return Number(row?.id ?? 0);
}

/** The ids in `ids` that are not in the archive. */
export async function missingIds(pool: Pool, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const [rows] = await pool.query<RowDataPacket[]>('SELECT id FROM dead_letters WHERE id IN (?)', [
    ids,
  ]);
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

/** Locks one row for an edit; undefined when it is not archived. */
export async function lockRow(
  connection: PoolConnection,
  id: number,
): Promise<DeadLetter | undefined> {
  const [rows] = await connection.query<RowDataPacket[]>(
    'SELECT * FROM dead_letters WHERE id = ? FOR UPDATE',
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
  at = new Date(),
): Promise<void> {
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

interface Deleted {
  id: number;
  messageId: string | null;
  groupId: string;
  type: DeadLetterType;
  parkedAt: Date;
}

/**
 * Deletes the next `limit` rows of `filter` after `cursor` (oldest first) and takes them off their
 * groups' counts, in the caller's transaction. Answers the rows deleted.
 */
export async function deleteRows(
  connection: PoolConnection,
  filter: DeadLetterFilter,
  cursor: PageCursor | undefined,
  limit: number,
): Promise<Deleted[]> {
  const where = andAlso(whereOf(filter), afterCursor(cursor, '', true));
  const [rows] = await connection.query<RowDataPacket[]>(
    `SELECT id, message_id, group_id, type, parked_at FROM dead_letters ${where.sql}
      ORDER BY parked_at, id LIMIT ? FOR UPDATE`,
    [...where.params, limit],
  );
  const deleted: Deleted[] = rows.map((r) => ({
    id: Number(r.id),
    messageId: r.message_id ?? null,
    groupId: r.group_id,
    type: r.type,
    parkedAt: r.parked_at,
  }));
  if (deleted.length === 0) return deleted;
  await connection.query('DELETE FROM dead_letters WHERE id IN (?)', [deleted.map((d) => d.id)]);
  await takeFromGroups(connection, deleted);
  return deleted;
}

/**
 * Lowers the groups' counts by what was deleted (groups locked in id order, as the archiver
 * does), reads their first and last parking again from the group index, and drops emptied groups.
 */
async function takeFromGroups(connection: PoolConnection, deleted: Deleted[]): Promise<void> {
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
         (SELECT MIN(parked_at) FROM dead_letters d WHERE d.group_id = g.group_id), first_parked_at),
       last_parked_at = COALESCE(
         (SELECT MAX(parked_at) FROM dead_letters d WHERE d.group_id = g.group_id), last_parked_at)
     WHERE g.group_id IN (?) AND g.message_count > 0`,
    [groupIds],
  );
  await connection.query(
    'DELETE FROM dead_letter_groups WHERE group_id IN (?) AND message_count = 0',
    [groupIds],
  );
}
