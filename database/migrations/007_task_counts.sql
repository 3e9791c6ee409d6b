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
CREATE TABLE task_counts (
  slot BIGINT UNSIGNED NOT NULL,
  type ENUM('game', 'custom') NOT NULL,
  status ENUM('pending', 'processing', 'completed', 'failed') NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (slot, type, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TRIGGER trg_tasks_count_insert AFTER INSERT ON processing_tasks FOR EACH ROW
  INSERT INTO task_counts (slot, type, status, n) VALUES (CONNECTION_ID(), NEW.type, NEW.status, 1)
  ON DUPLICATE KEY UPDATE n = n + 1;

CREATE TRIGGER trg_tasks_count_delete AFTER DELETE ON processing_tasks FOR EACH ROW
  INSERT INTO task_counts (slot, type, status, n) VALUES (CONNECTION_ID(), OLD.type, OLD.status, -1)
  ON DUPLICATE KEY UPDATE n = n - 1;

CREATE TRIGGER trg_tasks_count_update AFTER UPDATE ON processing_tasks FOR EACH ROW
BEGIN
  IF NEW.status <> OLD.status OR NEW.type <> OLD.type THEN
    INSERT INTO task_counts (slot, type, status, n)
    VALUES (CONNECTION_ID(), OLD.type, OLD.status, -1), (CONNECTION_ID(), NEW.type, NEW.status, 1)
    ON DUPLICATE KEY UPDATE n = n + IF(type = NEW.type AND status = NEW.status, 1, -1);
  END IF;
END;

-- The tasks already there: counted after the triggers exist, and added as the difference from
-- what the triggers have counted meanwhile, in one statement reading one snapshot (READ
-- COMMITTED: a consistent read, no locks), so writes made during the migration count once.
SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED;
INSERT INTO task_counts (slot, type, status, n)
SELECT 0, t.type, t.status, t.n - COALESCE(c.n, 0)
FROM (SELECT type, status, COUNT(*) AS n FROM processing_tasks GROUP BY type, status) t
LEFT JOIN (SELECT type, status, SUM(n) AS n FROM task_counts GROUP BY type, status) c
  ON c.type = t.type AND c.status = t.status
ON DUPLICATE KEY UPDATE task_counts.n = task_counts.n + VALUES(n);
SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ;
