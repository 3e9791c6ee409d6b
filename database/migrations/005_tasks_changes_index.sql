-- The live task stream reads changes in the order they were made: a keyset walk over
-- (updated_at, message_id) from a position, to catch up on changes whose notices were lost and to
-- resume a viewer that reconnects with Last-Event-ID. The message id makes the order total, so a
-- walk never skips or repeats rows that share a millisecond.
CREATE INDEX idx_tasks_updated ON processing_tasks (updated_at, message_id);
