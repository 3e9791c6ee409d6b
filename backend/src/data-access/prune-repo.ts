import { deleteOrphanJourneys } from '@retro/database';
import type { Queryable, Result, Row } from './db.js';

/**
 * Published outbox rows older than `before` whose task is completed or gone: the record the retry
 * action re-queues is kept while a task is failed or unfinished, and an unpublished row is never
 * touched. Oldest first, up to `limit` ids (served by the `(published_at, id)` index).
 */
export async function prunableOutboxRows(db: Queryable, before: Date, limit: number) {
  const [rows] = await db.query<Row[]>(
    `SELECT o.id FROM outbox_events o
     LEFT JOIN processing_tasks t ON t.message_id = o.event_id
     WHERE o.published_at IS NOT NULL AND o.published_at < ?
       AND (t.message_id IS NULL OR t.status = 'completed')
     ORDER BY o.published_at, o.id LIMIT ?`,
    [before, limit],
  );
  return rows.map((r) => Number(r.id));
}

export async function deleteOutboxRows(db: Queryable, ids: number[]): Promise<number> {
  if (ids.length === 0) return 0;
  // re-checked here: a retry may have queued the row again since it was selected
  const [result] = await db.query<Result>(
    'DELETE FROM outbox_events WHERE id IN (?) AND published_at IS NOT NULL',
    [ids],
  );
  return result.affectedRows;
}

/**
 * Completed or failed tasks unchanged since before `before`, up to `limit` per status, oldest
 * first (served by the `(status, updated_at)` index). Pending and processing tasks are never
 * pruned, however old: they are the stalled ones an operator must see.
 */
export async function prunableTasks(db: Queryable, before: Date, limit: number) {
  const [rows] = await db.query<Row[]>(
    `(SELECT message_id FROM processing_tasks WHERE status = 'completed' AND updated_at < ?
      ORDER BY updated_at LIMIT ?)
     UNION ALL
     (SELECT message_id FROM processing_tasks WHERE status = 'failed' AND updated_at < ?
      ORDER BY updated_at LIMIT ?)`,
    [before, limit, before, limit],
  );
  return rows.map((r) => String(r.message_id));
}

export async function deleteTasks(db: Queryable, messageIds: string[], before: Date) {
  if (messageIds.length === 0) return 0;
  // re-checked: a task reopened (retry, replay) since it was selected stays
  const [result] = await db.query<Result>(
    `DELETE FROM processing_tasks
     WHERE message_id IN (?) AND status IN ('completed', 'failed') AND updated_at < ?`,
    [messageIds, before],
  );
  // a message's journey goes with its task (the reopened ones keep theirs)
  await deleteOrphanJourneys(db, messageIds);
  return result.affectedRows;
}
