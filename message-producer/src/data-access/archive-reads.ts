import type { Pool, RowDataPacket } from 'mysql2/promise';
import {
  type DeadLetterFilter,
  type PageCursor,
  andAlso,
  afterCursor,
  countableFromGroups,
  whereOf,
} from './archive-filter.js';
import {
  type DeadLetter,
  type DeadLetterGroup,
  type DeadLetterSummary,
  toDeadLetter,
  toGroup,
  toSummary,
} from './archive-rows.js';

const SUMMARY_COLUMNS = `id, message_id, group_id, type, game_id, reason, parked_at, archived_at,
  retry_count, body_encoding, body_bytes, body_is_json,
  CASE WHEN body_encoding = 'utf8' THEN LEFT(body, 200) ELSE NULL END AS body_preview,
  replayed_at, replay_count, replayed_as, deleted_at, deleted_by`;

const NEWEST_FIRST = 'ORDER BY parked_at DESC, id DESC';

/**
 * One page of archived messages (live ones, or deleted ones with `filter.deleted`), newest parked
 * first, after `cursor`. Reads `limit + 1` rows to
 * know whether another page follows without counting.
 */
export async function listDeadLetters(
  pool: Pool,
  filter: DeadLetterFilter,
  limit: number,
  cursor?: PageCursor,
): Promise<{ items: DeadLetterSummary[]; next: PageCursor | undefined }> {
  const where = andAlso(whereOf(filter), afterCursor(cursor));
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT ${SUMMARY_COLUMNS} FROM dead_letters ${where.sql} ${NEWEST_FIRST} LIMIT ?`,
    [...where.params, limit + 1],
  );
  const items = rows.slice(0, limit).map(toSummary);
  const last = items.at(-1);
  const next =
    rows.length > limit && last ? { parkedAt: new Date(last.parkedAt), id: last.id } : undefined;
  return { items, next };
}

/** How many archived messages match; group and type counts come from the group table. */
export async function countDeadLetters(pool: Pool, filter: DeadLetterFilter): Promise<number> {
  if (countableFromGroups(filter)) {
    const column = filter.type ? `${filter.type}_count` : 'message_count';
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT COALESCE(SUM(${column}), 0) AS n FROM dead_letter_groups
        ${filter.group !== undefined ? 'WHERE group_id = ?' : ''}`,
      filter.group !== undefined ? [filter.group] : [],
    );
    return Number(rows[0]?.n ?? 0);
  }
  const where = whereOf(filter);
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS n FROM dead_letters ${where.sql}`,
    where.params,
  );
  return Number(rows[0]?.n ?? 0);
}

/** One live archived message in full, with its group's fingerprint; undefined if there is none. */
export async function findDeadLetter(pool: Pool, id: number): Promise<DeadLetter | undefined> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT d.*, g.fingerprint FROM dead_letters d
       LEFT JOIN dead_letter_groups g ON g.group_id = d.group_id
      WHERE d.id = ? AND d.deleted_at IS NULL`,
    [id],
  );
  return rows[0] ? toDeadLetter(rows[0]) : undefined;
}

/** Archived messages in full, newest first, page after page, for an export. */
export async function* streamDeadLetters(
  pool: Pool,
  filter: DeadLetterFilter,
  pageSize = 500,
): AsyncGenerator<DeadLetter[]> {
  let cursor: PageCursor | undefined;
  for (;;) {
    const where = andAlso(whereOf(filter, 'd'), afterCursor(cursor, 'd'));
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT d.*, g.fingerprint FROM dead_letters d
         LEFT JOIN dead_letter_groups g ON g.group_id = d.group_id
         ${where.sql} ORDER BY d.parked_at DESC, d.id DESC LIMIT ?`,
      [...where.params, pageSize],
    );
    if (rows.length === 0) return;
    const page = rows.map(toDeadLetter);
    yield page;
    if (rows.length < pageSize) return;
    const last = page.at(-1)!;
    cursor = { parkedAt: new Date(last.parkedAt), id: last.id };
  }
}

/** The first `limit` archived messages of `filter` in full, oldest parked first. */
export async function oldestDeadLetters(
  pool: Pool,
  filter: DeadLetterFilter,
  limit: number,
): Promise<DeadLetter[]> {
  const where = whereOf(filter);
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT * FROM dead_letters ${where.sql} ORDER BY parked_at, id LIMIT ?`,
    [...where.params, limit],
  );
  return rows.map(toDeadLetter);
}

export const GROUP_SORTS = { count: 'message_count DESC', lastParked: 'last_parked_at DESC' };
export type GroupSort = keyof typeof GROUP_SORTS;

/** Failure groups that still hold messages, biggest (or most recent) first. */
export async function listGroups(
  pool: Pool,
  { sort, limit, offset }: { sort: GroupSort; limit: number; offset: number },
): Promise<{ groups: DeadLetterGroup[]; total: number }> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT * FROM dead_letter_groups WHERE message_count > 0
      ORDER BY ${GROUP_SORTS[sort]}, group_id LIMIT ? OFFSET ?`,
    [limit, offset],
  );
  const [[count]] = await pool.query<RowDataPacket[]>(
    'SELECT COUNT(*) AS n FROM dead_letter_groups WHERE message_count > 0',
  );
  return { groups: rows.map(toGroup), total: Number(count?.n ?? 0) };
}

/** Total archived messages and the biggest groups, for the metrics (the groups count live rows). */
export async function archiveSize(
  pool: Pool,
  topGroups: number,
): Promise<{ total: number; top: { groupId: string; count: number }[] }> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT group_id, message_count FROM dead_letter_groups WHERE message_count > 0
      ORDER BY message_count DESC, group_id LIMIT ?`,
    [topGroups],
  );
  const [[sum]] = await pool.query<RowDataPacket[]>(
    'SELECT COALESCE(SUM(message_count), 0) AS n FROM dead_letter_groups',
  );
  return {
    total: Number(sum?.n ?? 0),
    top: rows.map((r) => ({ groupId: r.group_id as string, count: Number(r.message_count) })),
  };
}
