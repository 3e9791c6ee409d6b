-- Parked messages the archive cannot store: a value no column of dead_letters holds (a reason
-- longer than TEXT, a parking time past year 9999, a row bigger than a packet). The archiver stores
-- such a message alone here, with the database's reason, and acks it, so one bad record never
-- holds up the messages parked after it (docs/producer.md, "Quarantine").

CREATE TABLE dead_letter_quarantine (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  -- The parking's archive key (see dead_letters): a redelivery of it is stored once.
  archive_key BINARY(32) NOT NULL,
  message_id VARCHAR(255) NULL,
  quarantined_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  -- Why the archive refused it: the database error's code and message.
  error_code VARCHAR(64) NOT NULL,
  error_message TEXT NOT NULL,
  -- The body as received (as in dead_letters), cut only when it would not fit in one packet.
  body_encoding ENUM('utf8', 'base64') NOT NULL,
  body LONGTEXT NOT NULL,
  body_bytes INT UNSIGNED NOT NULL,
  body_truncated BOOLEAN NOT NULL DEFAULT FALSE,
  -- JSON text in plain text columns: no JSON check (nesting depth, say) can refuse this row.
  properties LONGTEXT NOT NULL,
  headers LONGTEXT NOT NULL,
  UNIQUE KEY uq_dead_letter_quarantine_archive_key (archive_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
