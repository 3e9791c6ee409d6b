-- People and access (docs/security.md): accounts with one role each, their personal API tokens,
-- browser sessions, sign-in throttling and the audit trail both services write.

CREATE TABLE accounts (
  id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  username VARCHAR(64) NOT NULL,
  role ENUM('viewer', 'editor', 'tester', 'operator') NOT NULL,
  -- scrypt, self-describing: `scrypt$N$r$p$salt$hash` (base64url)
  password_hash VARCHAR(255) NOT NULL,
  enabled BOOLEAN NOT NULL DEFAULT TRUE,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  last_login_at DATETIME(3) NULL,
  UNIQUE KEY uq_accounts_username (username)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Personal API tokens: only a sha256 of the token is kept; the token is shown once.
CREATE TABLE account_tokens (
  id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  account_id INT UNSIGNED NOT NULL,
  label VARCHAR(100) NULL,
  token_hash BINARY(32) NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  last_used_at DATETIME(3) NULL,
  revoked_at DATETIME(3) NULL,
  UNIQUE KEY uq_account_tokens_hash (token_hash),
  KEY idx_account_tokens_account (account_id),
  CONSTRAINT fk_account_tokens_account FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Browser sessions, shared by every backend replica and the producer: only a sha256 of the
-- cookie's value is kept, so a read of this table signs nobody in.
CREATE TABLE sessions (
  id_hash BINARY(32) NOT NULL PRIMARY KEY,
  account_id INT UNSIGNED NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  last_seen_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  client_ip VARCHAR(64) NULL,
  KEY idx_sessions_account (account_id),
  KEY idx_sessions_seen (last_seen_at),
  CONSTRAINT fk_sessions_account FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Failed sign-ins per (account, address) and per address, in a sliding window.
CREATE TABLE sign_in_failures (
  scope_key VARCHAR(200) NOT NULL PRIMARY KEY,
  failures INT UNSIGNED NOT NULL,
  window_started_at DATETIME(3) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every state change on both services: who (from the session or token, never a header), what,
-- on what, and for games the fields before and after.
CREATE TABLE audit_log (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  service VARCHAR(32) NOT NULL,
  actor VARCHAR(64) NULL,
  role VARCHAR(16) NULL,
  action VARCHAR(48) NOT NULL,
  target VARCHAR(191) NULL,
  request_id VARCHAR(64) NULL,
  client_ip VARCHAR(64) NULL,
  detail JSON NULL,
  -- Written with every game change (the API's hottest path): two indexes only, time and target
  -- (a game's history). Filters by actor or action read the time index, newest first.
  KEY idx_audit_log_at (at, id),
  KEY idx_audit_log_target (target, at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The version of a game's editable fields (ETag / If-Match); status writes leave it alone.
ALTER TABLE games ADD COLUMN version INT UNSIGNED NOT NULL DEFAULT 1;
