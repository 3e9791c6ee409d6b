// The journey of a message (docs/operations.md, "The journey of a message"): the rows each
// service writes in the transaction of the step it took, and how they are read back.
import type mysql from 'mysql2/promise';
import type { Statement } from './transaction.js';

/** Most rows one message keeps: writers stop adding once it has them. */
export const JOURNEY_ROW_LIMIT = 100;

export interface JourneyRow {
  messageId: string;
  /** null: the database's clock at the write (`NOW(3)`). */
  at: Date | null;
  stage: string;
  service: string;
  instance: string | null;
  detail: Record<string, unknown>;
}

export interface StoredJourneyRow {
  at: Date;
  stage: string;
  service: string;
  instance: string | null;
  detail: Record<string, unknown>;
}

/**
 * One multi-row INSERT of `rows` (null when there are none). Only placeholders, so it can share a
 * multi-statement round trip with the step's other statements.
 *
 * `bounded`: skips the rows of a message that already has JOURNEY_ROW_LIMIT (an index range count
 * on `(message_id, at, id)`), for the consumer's steps, which a message bouncing between retries
 * and hand-backs could pile up. Only in READ COMMITTED transactions (the status reports'): under
 * REPEATABLE READ an INSERT … SELECT locks what it reads, next-key locks on the journey's own
 * index, and concurrent writers deadlock. The other writers add one step per change, publish,
 * parking or replay, so they need no bound.
 */
export function journeyInsert(
  rows: readonly JourneyRow[],
  { bounded }: { bounded: boolean },
): Statement | null {
  if (rows.length === 0) return null;
  const params = rows.flatMap((r) => [
    r.messageId,
    r.at,
    r.stage,
    r.service,
    r.instance,
    JSON.stringify(r.detail),
  ]);
  if (!bounded) {
    return {
      sql: `INSERT INTO task_journey (message_id, at, stage, service, instance, detail) VALUES ${rows
        .map(() => '(?, COALESCE(?, NOW(3)), ?, ?, ?, ?)')
        .join(', ')}`,
      params,
    };
  }
  const selects = rows.map((_, i) =>
    i === 0
      ? 'SELECT ? AS message_id, COALESCE(?, NOW(3)) AS at, ? AS stage, ? AS service, ? AS instance, ? AS detail'
      : 'SELECT ?, COALESCE(?, NOW(3)), ?, ?, ?, ?',
  );
  return {
    sql: `INSERT INTO task_journey (message_id, at, stage, service, instance, detail)
      SELECT e.message_id, e.at, e.stage, e.service, e.instance, e.detail
      FROM (${selects.join(' UNION ALL ')}) AS e
      WHERE (SELECT COUNT(*) FROM task_journey j WHERE j.message_id = e.message_id) < ${JOURNEY_ROW_LIMIT}`,
    params,
  };
}

/** Writes `rows` with `db` (a connection in the step's transaction, or the pool). */
export async function insertJourney(
  db: mysql.Pool | mysql.PoolConnection,
  rows: readonly JourneyRow[],
  options: { bounded: boolean },
): Promise<void> {
  const statement = journeyInsert(rows, options);
  if (statement) await db.query(statement.sql, statement.params);
}

/** A message's rows in time order, the first JOURNEY_ROW_LIMIT. */
export async function readJourney(
  db: mysql.Pool | mysql.PoolConnection,
  messageId: string,
): Promise<StoredJourneyRow[]> {
  const [rows] = await db.query<mysql.RowDataPacket[]>(
    `SELECT at, stage, service, instance, detail FROM task_journey
     WHERE message_id = ? ORDER BY at, id LIMIT ${JOURNEY_ROW_LIMIT}`,
    [messageId],
  );
  return rows.map((r) => ({
    at: r.at instanceof Date ? r.at : new Date(String(r.at)),
    stage: String(r.stage),
    service: String(r.service),
    instance: r.instance === null ? null : String(r.instance),
    detail: parseDetail(r.detail),
  }));
}

/** MySQL 8 returns JSON parsed, MariaDB as text. */
function parseDetail(value: unknown): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (typeof value === 'object' && !Buffer.isBuffer(value)) return value as Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(String(value));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Deletes the rows of the messages whose task is gone (housekeeping, after pruning tasks). */
export async function deleteOrphanJourneys(
  db: mysql.Pool | mysql.PoolConnection,
  messageIds: readonly string[],
): Promise<void> {
  if (messageIds.length === 0) return;
  await db.query(
    `DELETE FROM task_journey WHERE message_id IN (?)
       AND message_id NOT IN (SELECT message_id FROM processing_tasks WHERE message_id IN (?))`,
    [messageIds, messageIds],
  );
}
