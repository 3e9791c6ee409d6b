# Sourced by the MariaDB image's entrypoint on a fresh data directory, after it made the database
# (MARIADB_DATABASE) and the migrate step's account (MARIADB_USER, every right on it). Adds the
# services' account: rows of the catalog database only, no schema change (docs/security.md,
# "Database accounts"). An existing volume needs the same two statements once, by hand.
if [ -n "${RETRO_APP_USER:-}" ]; then
  docker_process_sql --database=mysql <<-SQL
	CREATE USER IF NOT EXISTS '${RETRO_APP_USER}'@'%' IDENTIFIED BY '${RETRO_APP_PASSWORD}';
	GRANT SELECT, INSERT, UPDATE, DELETE ON \`${MARIADB_DATABASE}\`.* TO '${RETRO_APP_USER}'@'%';
	SQL
fi
