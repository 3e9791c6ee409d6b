import { readdir, readFile } from 'node:fs/promises';
import mysql from 'mysql2/promise';
import { reconcileCounts } from './counts.js';
import { ensureOperator, type FirstOperatorOptions } from './first-operator.js';
import { indexUnindexedDeadLetters } from './body-trigrams.js';
import { indexUnindexedGames } from './search-index.js';
import { quoteIdentifier, type DbSettings } from './settings.js';

const MIGRATIONS_DIR = new URL('../migrations/', import.meta.url);

/**
 * Data steps SQL cannot do, run right after the migration they belong to, inside the migration
 * lock: counting the rows there before the counters' triggers, and the word index, cut by the same
 * code that maintains it (`gameTerms`); the dead-letter trigram index likewise (`trigramsOf`).
 */
const AFTER_MIGRATION: Record<string, (connection: mysql.Connection) => Promise<unknown>> = {
  '007_task_counts': (connection) => reconcileCounts(connection, 'task_counts'),
  '008_game_search_terms': (connection) => indexUnindexedGames(connection),
  '009_catalog_counts_and_order': (connection) => reconcileCounts(connection, 'game_counts'),
  '017_dead_letter_trigrams': (connection) => indexUnindexedDeadLetters(connection),
};

export interface Migration {
  version: string;
  sql: string;
}

async function readMigrations(): Promise<Migration[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      version: file.replace(/\.sql$/, ''),
      sql: await readFile(new URL(file, MIGRATIONS_DIR), 'utf8'),
    })),
  );
}

export interface MigrateOptions {
  /**
   * The first-run step: when no enabled operator exists, create `admin` (first-operator.ts).
   * The services and `npm run migrate` ask for it; test databases and seeding do not (their
   * operators come from the test kit, or there is no one to hand a password to).
   */
  firstOperator?: FirstOperatorOptions;
}

/**
 * Creates the database if missing and applies each migration once, in order. A named lock keeps
 * several services starting together from applying the same migration twice (and from making
 * two first operators).
 * Returns the versions applied by this call.
 */
export async function migrate(
  settings: DbSettings,
  options: MigrateOptions = {},
): Promise<string[]> {
  const db = quoteIdentifier(settings.database);
  const connection = await mysql.createConnection({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    charset: 'utf8mb4_unicode_ci',
    multipleStatements: true,
    connectTimeout: 5000,
  });
  try {
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS ${db} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    await connection.query(`USE ${db}`);
    const [[lock]] = await connection.query<mysql.RowDataPacket[]>(
      'SELECT GET_LOCK(?, 60) AS acquired',
      [`migrate_${settings.database}`],
    );
    if (lock?.acquired !== 1) throw new Error('could not acquire the migration lock within 60 s');
    try {
      await connection.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version VARCHAR(100) NOT NULL PRIMARY KEY,
           applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
         ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
      );
      const [rows] = await connection.query<mysql.RowDataPacket[]>(
        'SELECT version FROM schema_migrations',
      );
      const done = new Set(rows.map((r) => r.version as string));
      const applied: string[] = [];
      for (const migration of await readMigrations()) {
        if (done.has(migration.version)) continue;
        await connection.query(migration.sql);
        await AFTER_MIGRATION[migration.version]?.(connection);
        await connection.query('INSERT INTO schema_migrations (version) VALUES (?)', [
          migration.version,
        ]);
        applied.push(migration.version);
      }
      if (options.firstOperator) await ensureOperator(connection, options.firstOperator);
      return applied;
    } finally {
      await connection.query('SELECT RELEASE_LOCK(?)', [`migrate_${settings.database}`]);
    }
  } finally {
    await connection.end();
  }
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
