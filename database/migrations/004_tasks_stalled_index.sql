-- Stalled tasks (pending or processing, unchanged for TASK_STALLED_AFTER_MS) are found by status
-- and last change: `GET /api/tasks?status=stalled` and the stalled count range-scan this index
-- instead of reading every pending task, and the per-status counts read it alone.
CREATE INDEX idx_tasks_status_updated ON processing_tasks (status, updated_at);
