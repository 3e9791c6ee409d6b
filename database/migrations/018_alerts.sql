-- Built-in alerts (docs/operations.md, "Alerts"): what the backend raised and resolved, the
-- operators' acknowledgements and snoozes, the lease that lets one backend replica evaluate the
-- rules at a time, and the webhook notifications still to deliver.

-- One row per raise: a rule that resolves and fires again is a second row.
CREATE TABLE alerts (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  rule VARCHAR(48) NOT NULL,
  state ENUM('firing', 'resolved') NOT NULL DEFAULT 'firing',
  summary VARCHAR(500) NOT NULL,
  raised_at DATETIME(3) NOT NULL,
  resolved_at DATETIME(3) NULL,
  acknowledged_at DATETIME(3) NULL,
  -- accounts.username
  acknowledged_by VARCHAR(64) NULL,
  snoozed_until DATETIME(3) NULL,
  snoozed_by VARCHAR(64) NULL,
  -- The rule while the alert fires, NULL once resolved: the unique key lets a rule fire once at a
  -- time whatever the replicas do (NULLs do not collide, on MySQL and MariaDB alike).
  firing_rule VARCHAR(48) NULL,
  UNIQUE KEY uq_alerts_firing_rule (firing_rule),
  -- GET /api/alerts reads a time range, newest first
  KEY idx_alerts_raised (raised_at, id),
  KEY idx_alerts_resolved (resolved_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Who evaluates the rules: the holder renews its row before it expires; another replica takes it
-- over only after it has expired. Times are the database's, so replicas' clocks do not matter.
CREATE TABLE alert_lease (
  name VARCHAR(32) NOT NULL PRIMARY KEY,
  holder VARCHAR(64) NULL,
  expires_at DATETIME(3) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO alert_lease (name, holder, expires_at) VALUES ('alerts', NULL, '1970-01-02 00:00:00');

-- One row per transition to tell ALERT_WEBHOOK_URL about, written in the transaction of the
-- transition itself, and kept until the receiver accepted it: a replica that stops, or hands the
-- lease over, neither loses a notification nor makes up a second one (the key stays the same).
CREATE TABLE alert_notifications (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  alert_id BIGINT UNSIGNED NOT NULL,
  idempotency_key VARCHAR(64) NOT NULL,
  payload JSON NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  attempts INT UNSIGNED NOT NULL DEFAULT 0,
  next_attempt_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  delivered_at DATETIME(3) NULL,
  last_error VARCHAR(500) NULL,
  UNIQUE KEY uq_alert_notifications_key (idempotency_key),
  KEY idx_alert_notifications_pending (delivered_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
