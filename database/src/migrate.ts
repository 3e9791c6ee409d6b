import mysql from 'mysql2/promise';
import { reconcileCounts } from './counts.js';
import { ensureOperator, type FirstOperatorOptions } from './first-operator.js';
import { indexUnindexedDeadLetters } from './body-trigrams.js';
import { pendingSql, type Statement } from './migration-guards.js';
import {
  ChecksumMismatchError,
  MIGRATIONS_DIR,
  readMigrations,
  type Migration,
  type Step,
} from './migration-files.js';
import { indexUnindexedGames } from './search-index.js';
import { quoteIdentifier, type DbSettings } from './settings.js';

export { ChecksumMismatchError, type Migration } from './migration-files.js';

/**
 * Data steps SQL cannot do, run as the last step of the migration they belong to, inside the
 * migration lock: counting the rows there before the counters' triggers, and the word index, cut
 * by the same code that maintains it (`gameTerms`); the dead-letter trigram index likewise
 * (`trigramsOf`). Each is safe to run again.
 */
const AFTER_MIGRATION: Record<string, (connection: mysql.Connection) => Promise<unknown>> = {
  '007_task_counts': (connection) => reconcileCounts(connection, 'task_counts'),
  '008_game_search_terms': (connection) => indexUnindexedGames(connection),
  '009_catalog_counts_and_order': (connection) => reconcileCounts(connection, 'game_counts'),
  '017_dead_letter_trigrams': (connection) => indexUnindexedDeadLetters(connection),
};

export interface MigrateOptions {
  /**
   * The first-run step: when no enabled operator exists, create `admin` (first-operator.ts).
   * The services and `npm run migrate` ask for it; test databases and seeding do not (their
   * operators come from the test kit, or there is no one to hand a password to).
   */
  firstOperator?: FirstOperatorOptions;
  /** Files (`014_x.sql` or `014_x`) whose new checksum is to be recorded instead of refused. */
  acceptChecksums?: string[];
  /** Another folder of migrations (tests). */
  migrationsDir?: URL | string;
}

/** Opens the migrate step's connection to the server (the database may not exist yet). */
export function connectForMigrate(settings: DbSettings): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    charset: 'utf8mb4_unicode_ci',
    connectTimeout: 5000,
  });
}

const lockName = (settings: DbSettings) => `migrate_${settings.database}`;

/**
 * Creates the database if missing and applies each migration once, in order, one step at a time
 * (docs/database.md, "Migrations"): each step is recorded as it completes, a data step in the
 * same transaction as its rows, and a schema step is looked up in information_schema first, so a
 * run stopped anywhere (killed, connection lost) is finished by the next run. A named lock keeps
 * several services starting together from applying the same migration twice (and from making
 * two first operators).
 * Returns the versions applied by this call.
 */
export async function migrate(
  settings: DbSettings,
  options: MigrateOptions = {},
): Promise<string[]> {
  const db = quoteIdentifier(settings.database);
  const connection = await connectForMigrate(settings);
  try {
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS ${db} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    await connection.query(`USE ${db}`);
    const [[lock]] = await connection.query<mysql.RowDataPacket[]>(
      'SELECT GET_LOCK(?, 60) AS acquired',
      [lockName(settings)],
    );
    if (lock?.acquired !== 1) throw new Error('could not acquire the migration lock within 60 s');
    try {
      await createHistoryTables(connection);
      const migrations = await readMigrations(options.migrationsDir ?? MIGRATIONS_DIR);
      const accepted = new Set(
        (options.acceptChecksums ?? []).map((f) => f.replace(/^.*\//, '').replace(/\.sql$/, '')),
      );
      const done = await checkChecksums(connection, migrations, accepted);
      const applied: string[] = [];
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        await applyMigration(connection, migration, accepted);
        applied.push(migration.version);
      }
      if (options.firstOperator) await ensureOperator(connection, options.firstOperator);
      return applied;
    } finally {
      await connection.query('SELECT RELEASE_LOCK(?)', [lockName(settings)]);
    }
  } finally {
    await connection.end();
  }
}

/**
 * `schema_migrations`: one row per applied file with its checksum (a column added to databases
 * migrated before checksums were kept). `schema_migration_steps`: the steps done of a file not
 * finished yet, with the checksum of the file they were done from.
 */
async function createHistoryTables(connection: mysql.Connection): Promise<void> {
  await connection.query(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
       version VARCHAR(100) NOT NULL PRIMARY KEY,
       applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
       checksum CHAR(64) NULL
     ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  );
  const [columns] = await connection.query<mysql.RowDataPacket[]>(
    `SELECT 1 FROM information_schema.columns
     WHERE table_schema = DATABASE() AND table_name = 'schema_migrations' AND column_name = 'checksum'`,
  );
  if (!columns.length) {
    await connection.query('ALTER TABLE schema_migrations ADD COLUMN checksum CHAR(64) NULL');
  }
  await connection.query(
    `CREATE TABLE IF NOT EXISTS schema_migration_steps (
       version VARCHAR(100) NOT NULL,
       step INT UNSIGNED NOT NULL,
       checksum CHAR(64) NOT NULL,
       done_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
       PRIMARY KEY (version, step)
     ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  );
}

/**
 * The versions applied. Records the checksum of files applied before checksums were kept (the
 * file as it is now), and refuses files changed since they were applied unless accepted.
 */
async function checkChecksums(
  connection: mysql.Connection,
  migrations: Migration[],
  accepted: Set<string>,
): Promise<Set<string>> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>(
    'SELECT version, checksum FROM schema_migrations',
  );
  const changed: string[] = [];
  for (const row of rows) {
    const migration = migrations.find((m) => m.version === row.version);
    if (!migration || row.checksum === migration.checksum) continue;
    if (row.checksum === null || accepted.has(migration.version)) {
      await connection.query('UPDATE schema_migrations SET checksum = ? WHERE version = ?', [
        migration.checksum,
        migration.version,
      ]);
    } else {
      changed.push(migration.file);
    }
  }
  if (changed.length) throw new ChecksumMismatchError(changed);
  return new Set(rows.map((r) => r.version as string));
}

async function applyMigration(
  connection: mysql.Connection,
  migration: Migration,
  accepted: Set<string>,
): Promise<void> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>(
    'SELECT step, checksum FROM schema_migration_steps WHERE version = ?',
    [migration.version],
  );
  if (rows.some((r) => r.checksum !== migration.checksum)) {
    if (!accepted.has(migration.version)) throw new ChecksumMismatchError([migration.file]);
    await connection.query('UPDATE schema_migration_steps SET checksum = ? WHERE version = ?', [
      migration.checksum,
      migration.version,
    ]);
  }
  const done = new Set(rows.map((r) => Number(r.step)));
  const record = (step: number) =>
    connection.query(
      'INSERT INTO schema_migration_steps (version, step, checksum) VALUES (?, ?, ?)',
      [migration.version, step, migration.checksum],
    );
  for (const [i, step] of migration.steps.entries()) {
    if (done.has(i + 1)) continue;
    await runStep(connection, step, () => record(i + 1));
  }
  const after = AFTER_MIGRATION[migration.version];
  const afterStep = migration.steps.length + 1;
  if (after && !done.has(afterStep)) {
    await after(connection);
    await record(afterStep);
  }
  await connection.beginTransaction();
  try {
    await connection.query('INSERT INTO schema_migrations (version, checksum) VALUES (?, ?)', [
      migration.version,
      migration.checksum,
    ]);
    await connection.query('DELETE FROM schema_migration_steps WHERE version = ?', [
      migration.version,
    ]);
    await connection.commit();
  } catch (error) {
    await connection.rollback().catch(() => undefined);
    throw error;
  }
}

/**
 * Runs one step and records it. Rows change in one transaction with the record (all or nothing);
 * DDL commits by itself, so a schema change is looked up first and only what is missing runs.
 */
async function runStep(
  connection: mysql.Connection,
  step: Step,
  record: () => Promise<unknown>,
): Promise<void> {
  const data = step.statements.some((s) => s.kind === 'data');
  if (data) await connection.beginTransaction();
  try {
    for (const statement of step.statements) await runStatement(connection, statement);
    await record();
    if (data) await connection.commit();
  } catch (error) {
    if (data) await connection.rollback().catch(() => undefined);
    throw error;
  }
}

async function runStatement(connection: mysql.Connection, statement: Statement): Promise<void> {
  if (statement.kind !== 'schema') {
    await connection.query(statement.sql);
    return;
  }
  const sql = await pendingSql(connection, statement);
  if (sql !== null) await connection.query(sql);
}

/** Drops a database; tests use it to clean up after themselves. */
export async function dropDatabase(settings: DbSettings): Promise<void> {
  const connection = await mysql.createConnection({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
  });
  try {
    await connection.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(settings.database)}`);
  } finally {
    await connection.end();
  }
}
