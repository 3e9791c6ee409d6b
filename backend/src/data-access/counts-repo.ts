import type { TaskStatus, TaskType } from '@retro/common';
import type { PoolConnection } from 'mysql2/promise';
import type { Queryable, Result, Row } from './db.js';

// Reads of the counter tables that triggers keep (migrations 007 and 009): one row per
// (connection slot, key), the count of a key being the sum over slots. Exact at every commit.

/** Tasks per type and status: `count(type, status)`, either left out to sum over it. */
export async function taskCounts(db: Queryable) {
  const [rows] = await db.query<Row[]>(
    'SELECT type, status, SUM(n) AS n FROM task_counts GROUP BY type, status',
  );
  return (filter: { type?: TaskType | undefined; status?: TaskStatus | undefined } = {}) =>
    rows
      .filter((r) => (filter.type ?? r.type) === r.type && (filter.status ?? r.status) === r.status)
      .reduce((sum, r) => sum + Number(r.n), 0);
}

/** How many games match these filters, from the catalog counters (no search). */
export async function gameCount(
  db: Queryable,
  where: { sql: string; params: unknown[] },
): Promise<number> {
  const [[row]] = await db.query<Row[]>(
    `SELECT COALESCE(SUM(n), 0) AS n FROM game_counts g ${where.sql}`,
    where.params,
  );
  return Number(row!.n);
}

/**
 * Folds the slots of connections that are gone into the base slot 0, so the counter tables stay a
 * few rows per live connection. The slots are picked and locked first, then moved in that same
 * transaction, so a count is never lost or taken twice; a live connection's slot may be folded
 * too (its next write starts a new row), which is only a short wait.
 */
export async function foldClosedSlots(db: PoolConnection, table: 'task_counts' | 'game_counts') {
  const keys =
    table === 'task_counts'
      ? 'type, status'
      : 'platform_id, genre_id, year_category, processing_status';
  const [rows] = await db.query<Row[]>(
    `SELECT DISTINCT slot FROM ${table}
     WHERE slot <> 0 AND slot NOT IN (SELECT ID FROM information_schema.PROCESSLIST)`,
  );
  const slots = rows.map((r) => String(r.slot));
  if (slots.length === 0) return 0;
  await db.query('START TRANSACTION');
  try {
    await db.query(`SELECT n FROM ${table} WHERE slot IN (?) FOR UPDATE`, [slots]);
    await db.query(
      `INSERT INTO ${table} (slot, ${keys}, n)
       SELECT 0, ${keys}, SUM(n) FROM ${table} WHERE slot IN (?) GROUP BY ${keys}
       ON DUPLICATE KEY UPDATE ${table}.n = ${table}.n + VALUES(n)`,
      [slots],
    );
    const [deleted] = await db.query<Result>(`DELETE FROM ${table} WHERE slot IN (?)`, [slots]);
    await db.query('COMMIT');
    return deleted.affectedRows;
  } catch (error) {
    await db.query('ROLLBACK');
    throw error;
  }
}
