-- Catalog totals without counting (X-Total-Count of GET /api/games): how many games each
-- (platform, genre, decade, processing status) has, kept by triggers in the transaction of every
-- game insert, delete and change that moves a game between them, so every filter the catalog
-- offers (search aside) sums at most 896 rows per slot. Counting instead reads 100,000 index
-- entries, or thousands of rows when two filters combine (docs/performance.md).
-- Slots as in task_counts (007): each connection its own, slot 0 the base, folded by housekeeping.
CREATE TABLE game_counts (
  slot BIGINT UNSIGNED NOT NULL,
  platform_id INT NOT NULL,
  genre_id INT NOT NULL,
  year_category VARCHAR(20) NOT NULL,
  processing_status ENUM('pending', 'processing', 'completed', 'failed') NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (slot, platform_id, genre_id, year_category, processing_status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TRIGGER trg_games_count_insert AFTER INSERT ON games FOR EACH ROW
  IF @retro_bulk_load IS NULL THEN
    INSERT INTO game_counts (slot, platform_id, genre_id, year_category, processing_status, n)
    VALUES (CONNECTION_ID(), NEW.platform_id, NEW.genre_id, NEW.year_category, NEW.processing_status, 1)
    ON DUPLICATE KEY UPDATE n = n + 1;
  END IF;

CREATE TRIGGER trg_games_count_delete AFTER DELETE ON games FOR EACH ROW
  IF @retro_bulk_load IS NULL THEN
    INSERT INTO game_counts (slot, platform_id, genre_id, year_category, processing_status, n)
    VALUES (CONNECTION_ID(), OLD.platform_id, OLD.genre_id, OLD.year_category, OLD.processing_status, -1)
    ON DUPLICATE KEY UPDATE n = n - 1;
  END IF;

CREATE TRIGGER trg_games_count_update AFTER UPDATE ON games FOR EACH ROW
BEGIN
  IF @retro_bulk_load IS NULL AND (NEW.platform_id <> OLD.platform_id OR NEW.genre_id <> OLD.genre_id
     OR NEW.year_category <> OLD.year_category OR NEW.processing_status <> OLD.processing_status) THEN
    INSERT INTO game_counts (slot, platform_id, genre_id, year_category, processing_status, n)
    VALUES (CONNECTION_ID(), OLD.platform_id, OLD.genre_id, OLD.year_category, OLD.processing_status, -1),
           (CONNECTION_ID(), NEW.platform_id, NEW.genre_id, NEW.year_category, NEW.processing_status, 1)
    ON DUPLICATE KEY UPDATE n = n + IF(platform_id = NEW.platform_id AND genre_id = NEW.genre_id
      AND year_category = NEW.year_category AND processing_status = NEW.processing_status, 1, -1);
  END IF;
END;

-- The rows already there are counted by the migrate step right after this file
-- (`reconcileCounts` in database/src/counts.ts).

-- Browsing: each page is a seek into the index of its sort order (keyset pagination, see
-- docs/performance.md) that also holds every filter column, so a filtered page is found by
-- walking index entries only, and only the page's own rows (long descriptions: the table does not
-- fit in a small buffer pool) are read. The id is named in the key so the order ends with it (the
-- tie-break of every sort). DESC needs MariaDB >= 10.8 or MySQL 8; older servers ignore it and
-- that sort reads the ascending index backwards, slower.
ALTER TABLE games
  ADD KEY idx_games_browse_title (title, id, platform_id, genre_id, year_category, processing_status),
  ADD KEY idx_games_browse_year (release_year, title, id, platform_id, genre_id, year_category,
                                 processing_status),
  ADD KEY idx_games_browse_year_desc (release_year DESC, title, id, platform_id, genre_id,
                                      year_category, processing_status),
  ADD KEY idx_games_browse_id (id, platform_id, genre_id, year_category, processing_status),
  DROP KEY idx_games_title,
  DROP KEY idx_games_year_category;
