import type { TaskType } from '@retro/common';
import type { Queryable, Row } from './db.js';

/** An unfinished task whose message lies in the dead-letter archive, archived after its last change. */
export interface DeadLetteredTask {
  messageId: string;
  type: TaskType;
  gameId: number | null;
  action: string | null;
  attempts: number;
  reason: string | null;
}

/**
 * Unfinished tasks (pending or processing) whose message the archive holds, not replayed nor
 * deleted, archived after the task's last change: the broker dead-lettered the delivery itself
 * (delivery limit, TTL, reject, length limit), so no consumer reported on it. (`archived_at`, not
 * `parked_at`: a message the broker dead-lettered has no `x-failed-at`, so its `parked_at` is its
 * publish time, before the task's `processing`.) Walks the
 * unfinished tasks (few, `idx_tasks_status_updated`) and looks each up in the archive by message
 * id (`idx_dead_letters_message`).
 */
export async function findDeadLetteredTasks(
  db: Queryable,
  limit: number,
): Promise<DeadLetteredTask[]> {
  const [rows] = await db.query<Row[]>(
    `SELECT t.message_id, t.type, t.game_id, t.action, t.attempts,
            (SELECT d.reason FROM dead_letters d
              WHERE d.message_id = t.message_id AND d.replayed_at IS NULL
                AND d.deleted_at IS NULL AND d.archived_at >= t.updated_at
              ORDER BY d.archived_at DESC, d.id DESC LIMIT 1) AS reason
       FROM processing_tasks t
      WHERE t.status IN ('pending', 'processing')
        AND EXISTS (SELECT 1 FROM dead_letters d
                     WHERE d.message_id = t.message_id AND d.replayed_at IS NULL
                       AND d.deleted_at IS NULL AND d.archived_at >= t.updated_at)
      ORDER BY t.updated_at, t.message_id
      LIMIT ?`,
    [limit],
  );
  return rows.map((row) => ({
    messageId: String(row.message_id),
    type: row.type as TaskType,
    gameId: row.game_id === null ? null : Number(row.game_id),
    action: row.action === null ? null : String(row.action),
    attempts: Number(row.attempts),
    reason: row.reason === null ? null : String(row.reason),
  }));
}
