-- The dead-letter archive: the producer's archiver moves every message parked in game_events.dlq
-- here (docs/producer.md, "Dead-letter archive"), and its console lists, groups, replays, edits,
-- deletes and exports them.

-- One row per parking of a message. A message that is replayed and parked again is a second row.
CREATE TABLE dead_letters (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  -- sha256 of (message id, x-failed-at, AMQP timestamp, body): the same parking delivered twice
  -- (archiver stopped between its commit and its ack) has the same key and is stored once.
  archive_key BINARY(32) NOT NULL,
  message_id VARCHAR(255) NULL,
  -- Short hash of the reason with ids, numbers and quoted values masked (dead_letter_groups).
  group_id CHAR(12) NOT NULL,
  -- Denormalised from the body so the console can filter without parsing it.
  type ENUM('game', 'custom', 'other') NOT NULL,
  game_id INT NULL,
  reason TEXT NULL,
  parked_at DATETIME(3) NOT NULL,
  retry_count INT UNSIGNED NOT NULL DEFAULT 0,
  archived_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  -- The body as received: its text when it is valid UTF-8, else base64 of its bytes.
  body_encoding ENUM('utf8', 'base64') NOT NULL,
  body LONGTEXT NOT NULL,
  body_bytes INT UNSIGNED NOT NULL,
  body_is_json BOOLEAN NOT NULL,
  properties JSON NOT NULL,
  headers JSON NOT NULL,
  -- Set only after the broker confirmed and routed the replayed copy.
  replayed_at DATETIME(3) NULL,
  replay_count INT UNSIGNED NOT NULL DEFAULT 0,
  -- Message id of the last copy sent: the same id for a replay, a new one for an edited copy.
  replayed_as VARCHAR(255) NULL,
  UNIQUE KEY uq_dead_letters_archive_key (archive_key),
  -- The console lists newest parked first and pages by (parked_at, id): one index per filter
  -- that a tester picks from a list, so each page is a short index range read.
  KEY idx_dead_letters_parked (parked_at, id),
  KEY idx_dead_letters_group (group_id, parked_at, id),
  KEY idx_dead_letters_type (type, parked_at, id),
  KEY idx_dead_letters_game (game_id, parked_at, id),
  KEY idx_dead_letters_message (message_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per failure group, kept in step with dead_letters in the same transactions (archive
-- and delete), so the group list and the totals of the console never count rows.
CREATE TABLE dead_letter_groups (
  group_id CHAR(12) NOT NULL PRIMARY KEY,
  fingerprint VARCHAR(500) NOT NULL,
  sample_reason TEXT NULL,
  message_count INT UNSIGNED NOT NULL DEFAULT 0,
  game_count INT UNSIGNED NOT NULL DEFAULT 0,
  custom_count INT UNSIGNED NOT NULL DEFAULT 0,
  other_count INT UNSIGNED NOT NULL DEFAULT 0,
  first_parked_at DATETIME(3) NOT NULL,
  last_parked_at DATETIME(3) NOT NULL,
  KEY idx_dead_letter_groups_count (message_count)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Who replayed, edited or deleted what, and when.
CREATE TABLE dead_letter_audit (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  action VARCHAR(32) NOT NULL,
  client_ip VARCHAR(64) NOT NULL,
  actor VARCHAR(100) NULL,
  -- What was asked for: {ids}, {group} or {filter}, and the job's rate for a replay.
  request JSON NOT NULL,
  job_id CHAR(36) NULL,
  affected INT UNSIGNED NOT NULL DEFAULT 0,
  -- Outcome: the new message id of an edit, a replay job's status and error.
  outcome JSON NULL,
  KEY idx_dead_letter_audit_at (at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The archived rows each audited action touched, written in the transaction that touched them.
-- No foreign key: deleted rows keep their audit record.
CREATE TABLE dead_letter_audit_items (
  audit_id BIGINT UNSIGNED NOT NULL,
  dead_letter_id BIGINT UNSIGNED NOT NULL,
  message_id VARCHAR(255) NULL,
  PRIMARY KEY (audit_id, dead_letter_id),
  KEY idx_dead_letter_audit_items_row (dead_letter_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
