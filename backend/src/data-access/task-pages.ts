import type { ProcessingTask, TaskCounts, TaskStatusFilter, TaskType } from '@retro/common';
import { taskCounts } from './counts-repo.js';
import { whereClause, type Queryable, type Row } from './db.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';
import { COLUMNS, countStalled, micros, STALLED, toTask } from './tasks-repo.js';

export interface TaskFilter {
  status?: TaskStatusFilter | undefined;
  type?: TaskType | undefined;
  gameId?: number | undefined;
  limit: number;
  offset: number;
  /** A cursor from a previous page's `nextCursor`: the page after it (keyset pagination). */
  after?: string | undefined;
}

const ORDER = 'created_at DESC, message_id DESC';

/**
 * A page of tasks, newest first, and how many match in all. The total comes from the counters
 * when the filters are a status and/or a type (exact, whatever the size); one game's tasks and the
 * stalled ones are few and counted. The page's ids are picked from an index (`(status,
 * created_at)` or `(created_at)`, or the game's) and only its rows read; `after` seeks past the
 * previous page's last task, so pages stay cheap however deep and never repeat or skip a task.
 */
export async function listTasks(
  db: Queryable,
  filter: TaskFilter,
  stalledAfterMs: number,
): Promise<{ tasks: ProcessingTask[]; total: number; nextCursor: string | null }> {
  const conditions: [string, ...unknown[]][] = [
    filter.status === 'stalled' ? [STALLED, micros(stalledAfterMs)] : ['status = ?', filter.status],
    ['type = ?', filter.type],
    ['game_id = ?', filter.gameId],
  ];
  const filters = whereClause(conditions);
  const key = filter.after ? decodeCursor(filter.after, 'tasks', ['string', 'string']) : undefined;
  if (key) {
    const at = new Date(key[0] as string);
    conditions.push(['created_at <= ? AND (created_at < ? OR message_id < ?)', at, at, key[1]]);
  }
  const where = whereClause(conditions);
  const [rows] = await db.query<Row[]>(
    `SELECT ${COLUMNS} FROM processing_tasks t
     JOIN (SELECT message_id FROM processing_tasks ${where.sql}
           ORDER BY ${ORDER} LIMIT ? OFFSET ?) page USING (message_id)
     ORDER BY ${ORDER}`,
    [micros(stalledAfterMs), ...where.params, filter.limit, filter.offset],
  );
  const tasks = rows.map(toTask);
  const last = tasks[tasks.length - 1];
  return {
    tasks,
    total: await countTasks(db, filter, filters),
    nextCursor:
      last && tasks.length === filter.limit
        ? encodeCursor('tasks', [last.createdAt, last.messageId])
        : null,
  };
}

async function countTasks(
  db: Queryable,
  filter: TaskFilter,
  where: { sql: string; params: unknown[] },
): Promise<number> {
  if (filter.gameId === undefined && filter.status !== 'stalled') {
    return (await taskCounts(db))({ type: filter.type, status: filter.status });
  }
  const [[count]] = await db.query<Row[]>(
    `SELECT COUNT(*) AS total FROM processing_tasks ${where.sql}`,
    where.params,
  );
  return Number(count!.total);
}

/** Tasks per status from the counters, and how many are stalled (a range of its index). */
export async function countByStatus(
  db: Queryable,
  stalledAfterMs: number,
): Promise<Omit<TaskCounts, 'stalledAfterMs'>> {
  const [count, stalled] = await Promise.all([taskCounts(db), countStalled(db, stalledAfterMs)]);
  const counts = {
    pending: count({ status: 'pending' }),
    processing: count({ status: 'processing' }),
    completed: count({ status: 'completed' }),
    failed: count({ status: 'failed' }),
    total: count(),
    stalled,
  };
  return counts;
}
