-- Catalog tables. utf8mb4 throughout so emoji and CJK titles round-trip.
CREATE TABLE platforms (
  id INT AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(50) NOT NULL,
  manufacturer VARCHAR(50) NULL,
  release_year SMALLINT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_platforms_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE genres (
  id INT AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(50) NOT NULL,
  description TEXT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_genres_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE games (
  id INT AUTO_INCREMENT PRIMARY KEY,
  title VARCHAR(100) NOT NULL,
  platform_id INT NOT NULL,
  genre_id INT NOT NULL,
  developer VARCHAR(100) NOT NULL,
  release_year SMALLINT NOT NULL,
  year_category VARCHAR(20) NOT NULL,
  description TEXT NOT NULL,
  image_url VARCHAR(255) NULL,
  thumbnail_url VARCHAR(255) NULL,
  processing_status ENUM('pending', 'processing', 'completed', 'failed') NOT NULL DEFAULT 'completed',
  -- the newest event emitted for this game; older events never overwrite its status
  last_event_id CHAR(36) NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  CONSTRAINT fk_games_platform FOREIGN KEY (platform_id) REFERENCES platforms (id) ON DELETE RESTRICT,
  CONSTRAINT fk_games_genre FOREIGN KEY (genre_id) REFERENCES genres (id) ON DELETE RESTRICT,
  KEY idx_games_platform (platform_id),
  KEY idx_games_genre (genre_id),
  KEY idx_games_year_category (year_category),
  KEY idx_games_title (title),
  KEY idx_games_processing_status (processing_status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
