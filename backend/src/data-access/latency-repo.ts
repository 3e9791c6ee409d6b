import type { TaskLatency } from '@retro/common';
import type { Queryable, Row } from './db.js';

/** The percentiles `GET /api/tasks/latency` answers, as fractions. */
const PERCENTILES = [
  ['p50Ms', 0.5],
  ['p95Ms', 0.95],
  ['p99Ms', 0.99],
] as const;

/**
 * End-to-end time of the tasks completed in the last `windowSeconds`: from `created_at` (the task
 * row is written in the transaction of the change, or with the first report of a custom message)
 * to `updated_at` (its completion; a completed task changes no more). Both stamps are the
 * database's clock. The rows come from `idx_tasks_status_updated` (status, updated_at); each
 * percentile is the nearest-rank value, read with one ordered look-up (portable: MySQL 8 has no
 * PERCENTILE_CONT).
 */
export async function taskLatency(db: Queryable, windowSeconds: number): Promise<TaskLatency> {
  const where = `status = 'completed' AND updated_at >= NOW(3) - INTERVAL ? SECOND`;
  const [[counted]] = await db.query<Row[]>(
    `SELECT COUNT(*) AS n FROM processing_tasks WHERE ${where}`,
    [windowSeconds],
  );
  const count = Number(counted?.n ?? 0);
  const result: TaskLatency = { windowSeconds, count, p50Ms: null, p95Ms: null, p99Ms: null };
  if (count === 0) return result;
  for (const [key, fraction] of PERCENTILES) {
    const rank = Math.max(1, Math.ceil(fraction * count));
    const [[row]] = await db.query<Row[]>(
      `SELECT TIMESTAMPDIFF(MICROSECOND, created_at, updated_at) DIV 1000 AS ms
         FROM processing_tasks WHERE ${where}
        ORDER BY ms LIMIT 1 OFFSET ?`,
      [windowSeconds, rank - 1],
    );
    result[key] = row ? Math.max(0, Number(row.ms)) : null;
  }
  return result;
}
