-- Task counts without counting: one row per (slot, type, status) holding how many tasks it adds,
-- kept by triggers in the same transaction as every task write (insert, status change, delete),
-- whatever code path makes it. `GET /api/tasks/counts` and the tasks list's totals sum a few dozen
-- rows instead of reading a million index entries.
--
-- Contention: a single row per status would be locked by every create and every status batch
-- until it commits, serialising them. Each connection writes its own slot instead (its
-- CONNECTION_ID()), so two transactions never share a counter row: no waits and no deadlocks
-- between writers, whatever order their rows change in. Slot 0 holds the base; housekeeping folds
-- the slots of closed connections into it. The count of a (type, status) is SUM(n) over all slots.
-- A bulk load (the scale seeder) may set the session variable @retro_bulk_load to skip the
-- triggers, and must then count its rows with `reconcileCounts` (database/src/counts.ts).
CREATE TABLE task_counts (
  slot BIGINT UNSIGNED NOT NULL,
  type ENUM('game', 'custom') NOT NULL,
  status ENUM('pending', 'processing', 'completed', 'failed') NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (slot, type, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TRIGGER trg_tasks_count_insert AFTER INSERT ON processing_tasks FOR EACH ROW
  IF @retro_bulk_load IS NULL THEN
    INSERT INTO task_counts (slot, type, status, n) VALUES (CONNECTION_ID(), NEW.type, NEW.status, 1)
    ON DUPLICATE KEY UPDATE n = n + 1;
  END IF;

CREATE TRIGGER trg_tasks_count_delete AFTER DELETE ON processing_tasks FOR EACH ROW
  IF @retro_bulk_load IS NULL THEN
    INSERT INTO task_counts (slot, type, status, n) VALUES (CONNECTION_ID(), OLD.type, OLD.status, -1)
    ON DUPLICATE KEY UPDATE n = n - 1;
  END IF;

CREATE TRIGGER trg_tasks_count_update AFTER UPDATE ON processing_tasks FOR EACH ROW
BEGIN
  IF @retro_bulk_load IS NULL AND (NEW.status <> OLD.status OR NEW.type <> OLD.type) THEN
    INSERT INTO task_counts (slot, type, status, n)
    VALUES (CONNECTION_ID(), OLD.type, OLD.status, -1), (CONNECTION_ID(), NEW.type, NEW.status, 1)
    ON DUPLICATE KEY UPDATE n = n + IF(type = NEW.type AND status = NEW.status, 1, -1);
  END IF;
END;

-- The rows already there are counted by the migrate step right after this file
-- (`reconcileCounts` in database/src/counts.ts).
