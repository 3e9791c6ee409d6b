-- `thumbnail_url` came with the original catalog and was never read or written by any service:
-- `image_url` is the one picture a game has.
-- Dropped only where it is there, in SQL that MariaDB and MySQL 8 both run: MySQL has no
-- `DROP COLUMN IF EXISTS`, so the ALTER is chosen from information_schema and run as a prepared
-- statement (`DO 0` does nothing when the column is already gone). Both servers drop a column in
-- place, without rebuilding the table (MariaDB >= 10.4, MySQL >= 8.0.29).
SET @retro_drop_thumbnail_url = IF(
  EXISTS (
    SELECT 1 FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'games' AND column_name = 'thumbnail_url'
  ),
  'ALTER TABLE games DROP COLUMN thumbnail_url',
  'DO 0'
);
PREPARE retro_drop_thumbnail_url FROM @retro_drop_thumbnail_url;
EXECUTE retro_drop_thumbnail_url;
DEALLOCATE PREPARE retro_drop_thumbnail_url;
SET @retro_drop_thumbnail_url = NULL;
