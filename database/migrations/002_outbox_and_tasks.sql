-- Transactional outbox: written in the same transaction as the game change, published by the relay.
CREATE TABLE outbox_events (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  event_id CHAR(36) NOT NULL,
  game_id INT NULL,
  action VARCHAR(16) NOT NULL,
  payload JSON NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  published_at DATETIME(3) NULL,
  publish_attempts INT NOT NULL DEFAULT 0,
  UNIQUE KEY uq_outbox_event_id (event_id),
  KEY idx_outbox_unpublished (published_at, id),
  KEY idx_outbox_game (game_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per message (game event or custom message), keyed by the message id.
CREATE TABLE processing_tasks (
  message_id VARCHAR(64) NOT NULL PRIMARY KEY,
  type ENUM('game', 'custom') NOT NULL,
  game_id INT NULL,
  action VARCHAR(32) NULL,
  status ENUM('pending', 'processing', 'completed', 'failed') NOT NULL DEFAULT 'pending',
  attempts INT NOT NULL DEFAULT 0,
  last_error TEXT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  KEY idx_tasks_status_created (status, created_at),
  KEY idx_tasks_created (created_at),
  KEY idx_tasks_game (game_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
