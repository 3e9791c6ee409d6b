import type { ProcessingTask, TaskStatus, TaskType } from '@retro/common';
import {
  iso,
  valueOrVariable,
  type Queryable,
  type Row,
  type SessionVariable,
  type Statement,
} from './db.js';

export { countByStatus, listTasks, type TaskFilter } from './task-pages.js';

/**
 * A task is stalled when it has waited in pending or processing for longer than the threshold
 * since its last status change. Derived on every read, against the database's clock (the one
 * that stamps `updated_at`), so backends whose clocks drift still agree. Its one parameter is the
 * threshold in microseconds (`micros`); `idx_tasks_status_updated` serves it as a range.
 */
export const STALLED = `status IN ('pending', 'processing')
  AND updated_at < CURRENT_TIMESTAMP(3) - INTERVAL ? MICROSECOND`;
export const micros = (ms: number) => ms * 1000;

/** Every task column, then `stalled`: callers pass the threshold as the first parameter. */
export const COLUMNS = `message_id, type, game_id, action, status, attempts, last_error, created_at,
  updated_at, (${STALLED}) AS stalled`;

export function toTask(row: Row): ProcessingTask {
  return {
    messageId: row.message_id,
    type: row.type,
    gameId: row.game_id,
    action: row.action,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    stalled: Number(row.stalled) === 1,
  };
}

/** Inserts a message's task, pending; the game id may come from an earlier statement. */
export function insertTask(task: {
  messageId: string;
  type: TaskType;
  gameId: number | null | SessionVariable;
  action: string | null;
}): Statement {
  const gameId = valueOrVariable(task.gameId);
  return {
    sql: `INSERT INTO processing_tasks (message_id, type, game_id, action, status, attempts)
     VALUES (?, ?, ${gameId.sql}, ?, 'pending', 0)`,
    params: [task.messageId, task.type, ...gameId.params, task.action],
  };
}

export async function findTask(
  db: Queryable,
  messageId: string,
  stalledAfterMs: number,
  forUpdate = false,
): Promise<ProcessingTask | null> {
  const [rows] = await db.query<Row[]>(
    `SELECT ${COLUMNS} FROM processing_tasks WHERE message_id = ?${forUpdate ? ' FOR UPDATE' : ''}`,
    [micros(stalledAfterMs), messageId],
  );
  return rows[0] ? toTask(rows[0]) : null;
}

type NewTask = { messageId: string; type: TaskType; gameId: number | null; action: string | null };

/**
 * Creates the tasks that do not exist yet (a custom or foreign message's first report) and locks
 * the existing ones, in the order given: callers pass them sorted, so that concurrent batches
 * lock rows in the same order and cannot deadlock each other. `ON DUPLICATE KEY UPDATE` (a no-op
 * here) rather than `INSERT IGNORE`: it takes the exclusive lock the status change needs at once,
 * where `IGNORE` would take a shared one that two writers could then both try to upgrade.
 */
export async function ensureTasks(db: Queryable, tasks: NewTask[]): Promise<void> {
  await db.query(
    `INSERT INTO processing_tasks (message_id, type, game_id, action, status, attempts)
     VALUES ${tasks.map(() => "(?, ?, ?, ?, 'pending', 0)").join(', ')}
     ON DUPLICATE KEY UPDATE message_id = message_id`,
    tasks.flatMap((t) => [t.messageId, t.type, t.gameId, t.action]),
  );
}

/**
 * Reads tasks that `ensureTasks` has locked in this transaction. A plain read: under READ
 * COMMITTED it sees their current state, and unlike `FOR UPDATE` it never waits on rows it does
 * not need when the optimizer scans the table (as it does while the table is young). `now` is the
 * database's clock, so the changes can be stamped with it and the tasks returned without reading
 * them back.
 */
export async function readLockedTasks(
  db: Queryable,
  messageIds: string[],
  stalledAfterMs: number,
): Promise<{ tasks: ProcessingTask[]; now: Date }> {
  const [rows] = await db.query<Row[]>(
    `SELECT ${COLUMNS}, CURRENT_TIMESTAMP(3) AS now FROM processing_tasks
     WHERE message_id IN (?)`,
    [micros(stalledAfterMs), messageIds],
  );
  const now = rows[0] ? new Date(rows[0].now) : new Date();
  return { tasks: rows.map(toTask), now };
}

export interface TaskState {
  status: TaskStatus;
  attempts: number;
  lastError: string | null;
}

/** Writes the new state of several tasks in one statement, all stamped `updatedAt`. */
export async function writeTaskStates(
  db: Queryable,
  states: (TaskState & { messageId: string })[],
  updatedAt: Date,
): Promise<void> {
  const ids = states.map((s) => s.messageId);
  const column = (pick: (s: TaskState) => unknown) => ({
    sql: `CASE message_id ${states.map(() => 'WHEN ? THEN ?').join(' ')} END`,
    params: states.flatMap((s) => [s.messageId, pick(s)]),
  });
  const status = column((s) => s.status);
  const attempts = column((s) => s.attempts);
  const lastError = column((s) => s.lastError);
  await db.query(
    `UPDATE processing_tasks
     SET status = ${status.sql}, attempts = ${attempts.sql}, last_error = ${lastError.sql},
         updated_at = ?
     WHERE message_id IN (?)`,
    [...status.params, ...attempts.params, ...lastError.params, updatedAt, ids],
  );
}

export async function writeTaskState(
  db: Queryable,
  messageId: string,
  state: { status: TaskStatus; attempts: number; lastError: string | null },
): Promise<void> {
  await db.query(
    `UPDATE processing_tasks SET status = ?, attempts = ?, last_error = ?,
       updated_at = CURRENT_TIMESTAMP(3)
     WHERE message_id = ?`,
    [state.status, state.attempts, state.lastError, messageId],
  );
}

/** How many tasks are stalled now (a range of `idx_tasks_status_updated`). */
export async function countStalled(db: Queryable, stalledAfterMs: number): Promise<number> {
  const [[row]] = await db.query<Row[]>(
    `SELECT COUNT(*) AS n FROM processing_tasks WHERE ${STALLED}`,
    [micros(stalledAfterMs)],
  );
  return Number(row!.n);
}

/** Several tasks by id, in no particular order; ids without a task are left out. */
export async function findTasks(
  db: Queryable,
  messageIds: string[],
  stalledAfterMs: number,
): Promise<ProcessingTask[]> {
  if (messageIds.length === 0) return [];
  const [rows] = await db.query<Row[]>(
    `SELECT ${COLUMNS} FROM processing_tasks WHERE message_id IN (?)`,
    [micros(stalledAfterMs), messageIds],
  );
  return rows.map(toTask);
}

/** A place in the order tasks were changed in: by `updated_at`, then by `message_id`. */
export interface ChangePosition {
  at: Date;
  messageId: string;
}

/**
 * Up to `limit` tasks changed after `after`, in change order: a keyset walk over
 * `idx_tasks_updated`. The range starts at the position's millisecond; of that millisecond only
 * the rows past its message id qualify, so consecutive pages neither skip nor repeat a row.
 */
export async function changesAfter(
  db: Queryable,
  after: ChangePosition,
  limit: number,
  stalledAfterMs: number,
): Promise<ProcessingTask[]> {
  const [rows] = await db.query<Row[]>(
    `SELECT ${COLUMNS} FROM processing_tasks
     WHERE updated_at >= ? AND (updated_at > ? OR message_id > ?)
     ORDER BY updated_at, message_id LIMIT ?`,
    [micros(stalledAfterMs), after.at, after.at, after.messageId, limit],
  );
  return rows.map(toTask);
}

/** How many tasks changed after `after`, counting no further than `max` (an index-only scan). */
export async function countChangesAfter(
  db: Queryable,
  after: ChangePosition,
  max: number,
): Promise<number> {
  const [[row]] = await db.query<Row[]>(
    `SELECT COUNT(*) AS n FROM (
       SELECT 1 FROM processing_tasks
       WHERE updated_at >= ? AND (updated_at > ? OR message_id > ?) LIMIT ?) AS changed`,
    [after.at, after.at, after.messageId, max],
  );
  return Number(row!.n);
}

/** The database's clock, which stamps `updated_at`: positions are taken from it, never from ours. */
export async function databaseNow(db: Queryable): Promise<Date> {
  const [[row]] = await db.query<Row[]>('SELECT CURRENT_TIMESTAMP(3) AS now');
  return new Date(row!.now);
}
