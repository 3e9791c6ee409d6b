import { AppError, isDatabaseUnavailable } from '@retro/common';
import { withTransaction } from '@retro/database';
import type { Pool, PoolConnection } from 'mysql2/promise';

/** The archive's tables are not there yet: the backend applies migration 006 as it starts. */
const MISSING_SCHEMA = new Set(['ER_NO_SUCH_TABLE', 'ER_BAD_DB_ERROR']);

const codeOf = (error: unknown) => (error as { code?: unknown } | null)?.code;

export function isMissingSchema(error: unknown): boolean {
  return MISSING_SCHEMA.has(codeOf(error) as string);
}

/**
 * Refusals of a write's values. SQLSTATE class 22 (data exception: too long, out of range, a bad
 * date) and 23 (integrity: a NULL, a duplicate key, a failed check) on MariaDB and MySQL alike,
 * these codes for drivers or servers that report another state, and a row too big for one packet.
 */
const DATA_ERRORS = new Set([
  'ER_DATA_TOO_LONG',
  'ER_WARN_DATA_OUT_OF_RANGE',
  'ER_TRUNCATED_WRONG_VALUE',
  'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD',
  'WARN_DATA_TRUNCATED',
  'ER_BAD_NULL_ERROR',
  'ER_DUP_ENTRY',
  'ER_INVALID_JSON_TEXT',
  'ER_JSON_DOCUMENT_TOO_DEEP',
  'ER_CHECK_CONSTRAINT_VIOLATED',
  'ER_NET_PACKET_TOO_LARGE',
]);

/**
 * True when the database refused the values written, not the writing: the same values fail again
 * however often they are sent. False for the database being away or busy (connection errors,
 * lock wait timeouts, deadlocks, a missing table), which a later try may get past.
 */
export function isDataError(error: unknown): boolean {
  const sqlState = (error as { sqlState?: unknown } | null)?.sqlState;
  if (typeof sqlState === 'string' && /^2[23]/.test(sqlState)) return true;
  return DATA_ERRORS.has(codeOf(error) as string);
}

/**
 * A transaction run up to `attempts` times (see withTransaction): the archive's writes are safe to
 * repeat; callers whose work is not (it publishes) pass 1.
 */
export function inTransaction<T>(
  pool: Pool,
  work: (connection: PoolConnection) => Promise<T>,
  attempts = 3,
): Promise<T> {
  return withTransaction(pool, work, { attempts });
}

/**
 * The API's view of a database failure: the archive not migrated yet or MySQL away is a 503 that
 * says so; everything else stays a 500.
 */
export function archiveUnavailable(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (isMissingSchema(error)) {
    return AppError.unavailable(
      'The dead-letter archive is not set up yet: the backend creates its tables when it starts',
      error,
    );
  }
  // the same answer as the backend's: 503 DATABASE_UNAVAILABLE with Retry-After
  if (isDatabaseUnavailable(error)) return AppError.databaseUnavailable(error);
  return error;
}

/** Whether MySQL answers a trivial query within `timeoutMs` (for /ready). */
export async function databaseReachable(pool: Pool, timeoutMs = 1_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(resolve, timeoutMs, false)));
  const ping = pool.query('SELECT 1').then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
