import mysql from 'mysql2/promise';

/** Where a database lives. */
export interface DbSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** Reads the DB_* part of an already validated service config. */
export function dbSettings(config: {
  DB_HOST: string;
  DB_PORT: number;
  DB_USER: string;
  DB_PASSWORD: string;
  DB_NAME: string;
}): DbSettings {
  return {
    host: config.DB_HOST,
    port: config.DB_PORT,
    user: config.DB_USER,
    password: config.DB_PASSWORD,
    database: config.DB_NAME,
  };
}

/**
 * The account of the migrate step: DB_MIGRATE_USER (the one with DDL rights, docs/security.md,
 * "Database accounts"), else DB_USER, so a setup with one account keeps working.
 */
export function migrateSettings(config: {
  DB_HOST: string;
  DB_PORT: number;
  DB_USER: string;
  DB_PASSWORD: string;
  DB_MIGRATE_USER: string;
  DB_MIGRATE_PASSWORD: string;
  DB_NAME: string;
}): DbSettings {
  const settings = dbSettings(config);
  return config.DB_MIGRATE_USER
    ? { ...settings, user: config.DB_MIGRATE_USER, password: config.DB_MIGRATE_PASSWORD }
    : settings;
}

export interface PoolOptions {
  /**
   * Lets one query carry several statements separated by `;`, so that a short transaction costs
   * one round trip (see `transactionInOneTrip`). Every query must then take its values as `?`
   * parameters only, never spliced into the text: a spliced value could add statements.
   */
  multipleStatements?: boolean;
}

/**
 * A pool whose sessions run in UTC with utf8mb4, so timestamps and emoji round-trip the same on
 * MariaDB and MySQL.
 */
export function createPool(
  settings: DbSettings,
  connectionLimit = 10,
  { multipleStatements = false }: PoolOptions = {},
): mysql.Pool {
  const pool = mysql.createPool({
    ...settings,
    multipleStatements,
    connectionLimit,
    maxIdle: connectionLimit,
    waitForConnections: true,
    queueLimit: 1000,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    supportBigNumbers: true,
    connectTimeout: 5000,
    enableKeepAlive: true,
    // no stack captured per query: a failed query's error still names its code, SQL state and
    // message, and the capture was 3 % of the API's profile samples under load
    trace: false,
  });
  pool.pool.on('connection', (connection) => {
    connection.query("SET time_zone = '+00:00'");
  });
  return pool;
}

export function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) throw new Error(`invalid database name: ${name}`);
  return `\`${name}\``;
}
