-- `thumbnail_url` came with the original catalog and was never read or written by any service:
-- `image_url` is the one picture a game has. MariaDB drops a column in place (no table rebuild).
ALTER TABLE games DROP COLUMN IF EXISTS thumbnail_url;
