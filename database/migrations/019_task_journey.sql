-- The journey of each message (docs/operations.md, "The journey of a message"): one row per step
-- a service took with it, written by that service in the transaction of the step itself (the
-- game change, the relay's publish mark, the consumer's status report, the archive, a replay).
-- Housekeeping deletes a message's rows with its task; the consumer's status reports add
-- none beyond 100 rows per message.
CREATE TABLE task_journey (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  message_id VARCHAR(64) NOT NULL,
  at DATETIME(3) NOT NULL,
  stage VARCHAR(24) NOT NULL,
  service VARCHAR(32) NOT NULL,
  instance VARCHAR(128) NULL,
  detail JSON NULL,
  -- GET /api/tasks/:messageId/journey reads one message's rows in time order
  KEY idx_task_journey_message (message_id, at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
