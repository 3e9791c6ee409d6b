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
