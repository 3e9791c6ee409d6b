import type mysql from 'mysql2/promise';

/** Errors after which the same transaction, run again, may well succeed. */
const RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_DUP_ENTRY']);

export interface TransactionOptions {
  /** READ COMMITTED for this transaction only: no gap locks (see the outbox relay). */
  readCommitted?: boolean;
  /**
   * Runs in all. After a deadlock, a lock wait timeout or a duplicate key met by a concurrent
   * writer the whole transaction runs again, since a fresh run reads what the other committed.
   * Only for work that is safe to repeat; default 1 (no retry).
   */
  attempts?: number;
}

/** Runs `fn` in one transaction on one connection; rolls back when it throws. */
export async function withTransaction<T>(
  pool: mysql.Pool,
  fn: (connection: mysql.PoolConnection) => Promise<T>,
  { readCommitted = false, attempts = 1 }: TransactionOptions = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const connection = await pool.getConnection();
    try {
      if (readCommitted) await connection.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
      await connection.beginTransaction();
      const result = await fn(connection);
      await connection.commit();
      return result;
    } catch (error) {
      await connection.rollback().catch(() => undefined);
      const code = (error as { code?: unknown } | null)?.code;
      if (attempt >= attempts || !RETRYABLE.has(code as string)) throw error;
    } finally {
      connection.release();
    }
  }
}

/** One SQL statement and its `?` parameters. */
export interface Statement {
  sql: string;
  params: unknown[];
}

/**
 * A value an earlier statement of the same round trip stored in a session variable (such as the
 * id of a row it inserted), for statements that cannot know it in advance.
 */
export type SessionVariable = `@${string}`;

/** `value` as SQL: a placeholder with its parameter, or the session variable itself. */
export function valueOrVariable<T>(value: T | SessionVariable): { sql: string; params: T[] } {
  return typeof value === 'string' && value.startsWith('@')
    ? { sql: value as string, params: [] }
    : { sql: '?', params: [value as T] };
}

/**
 * Runs `statements` as one transaction in a single round trip: `START TRANSACTION`, the
 * statements and `COMMIT` go to the server as one multi-statement query (the pool must allow
 * them, see `PoolOptions.multipleStatements`). The server stops at the first statement that
 * fails; the transaction is then rolled back and the error thrown. Returns each statement's
 * result, in order. For short write transactions whose statements need no answer from the
 * previous ones in the application (a later statement may still use `LAST_INSERT_ID()` or a
 * session variable an earlier one set).
 */
export async function transactionInOneTrip(
  pool: mysql.Pool,
  statements: Statement[],
): Promise<mysql.ResultSetHeader[]> {
  const connection = await pool.getConnection();
  try {
    const sql = ['START TRANSACTION', ...statements.map((s) => s.sql), 'COMMIT'].join(';\n');
    const [results] = await connection.query<mysql.ResultSetHeader[]>(
      sql,
      statements.flatMap((s) => s.params),
    );
    return results.slice(1, -1);
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    connection.release();
  }
}
