-- Deleting a dead letter from the console no longer removes it: the row is marked, leaves every
-- list, count, export and replay (and its group's counts), and an operator may restore it until
-- DELETED_DEAD_LETTER_RETENTION_MS has passed; then the producer's purge removes it for good
-- (docs/producer.md, "Deleting and restoring"). Plain ALTER TABLE: MySQL 8 and MariaDB alike.
ALTER TABLE dead_letters
  ADD COLUMN deleted_at DATETIME(3) NULL,
  -- the account that deleted it (accounts.username)
  ADD COLUMN deleted_by VARCHAR(64) NULL,
  -- the purge's oldest-deleted-first batches, and an operator's list of deleted messages
  ADD KEY idx_dead_letters_deleted (deleted_at);
