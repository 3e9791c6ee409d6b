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

/** The settings a command that migrates reads: the database and both accounts. */
export const MIGRATE_CONFIG_KEYS = [
  'DB_HOST',
  'DB_PORT',
  'DB_USER',
  'DB_PASSWORD',
  'DB_MIGRATE_USER',
  'DB_MIGRATE_PASSWORD',
  'DB_NAME',
] as const;

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
  /**
   * Longest wait for a connection (a free one, or a new one connecting) before the query fails
   * with `POOL_ACQUIRE_TIMEOUT`; default 10 s. mysql2's pool would wait without end.
   */
  acquireTimeoutMs?: number;
}

/**
 * A pool whose sessions run in UTC with utf8mb4, so timestamps and emoji round-trip the same on
 * MariaDB and MySQL.
 */
export function createPool(
  settings: DbSettings,
  connectionLimit = 10,
  { multipleStatements = false, acquireTimeoutMs = 10_000 }: PoolOptions = {},
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
  boundAcquire(pool, acquireTimeoutMs);
  return pool;
}

type AcquireCallback = (error: unknown, connection?: { release(): void }) => void;

/**
 * Gives every wait for a connection (`query()` and `getConnection()` both go through the core
 * pool's `getConnection`) a deadline: a request queued behind connections that cannot connect
 * fails as the database being unavailable instead of hanging. A connection that turns up after
 * its waiter gave up goes back to the pool.
 */
function boundAcquire(pool: mysql.Pool, timeoutMs: number): void {
  const core = pool.pool as unknown as { getConnection(cb: AcquireCallback): void };
  const acquire = core.getConnection.bind(core);
  core.getConnection = (cb) => {
    let waiting = true;
    const timer = setTimeout(() => {
      waiting = false;
      cb(
        Object.assign(new Error(`no database connection within ${timeoutMs} ms`), {
          code: 'POOL_ACQUIRE_TIMEOUT',
        }),
      );
    }, timeoutMs);
    acquire((error, connection) => {
      if (!waiting) {
        connection?.release();
        return;
      }
      waiting = false;
      clearTimeout(timer);
      cb(error, connection);
    });
  };
}

export function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) throw new Error(`invalid database name: ${name}`);
  return `\`${name}\``;
}
