import type { Pool, Result, Row } from './db.js';

const LEASE = 'alerts';

/**
 * Takes or renews the alert lease for `holder`: it succeeds when the lease is free, expired or
 * already `holder`'s. The database's clock decides, so replicas' clocks never disagree about it.
 */
export async function tryLease(pool: Pool, holder: string, leaseMs: number): Promise<boolean> {
  const [result] = await pool.query<Result>(
    `UPDATE alert_lease
        SET holder = ?, expires_at = DATE_ADD(CURRENT_TIMESTAMP(3), INTERVAL ? MICROSECOND)
      WHERE name = ? AND (holder = ? OR holder IS NULL OR expires_at < CURRENT_TIMESTAMP(3))`,
    [holder, leaseMs * 1000, LEASE, holder],
  );
  return result.affectedRows === 1;
}

/** Gives the lease up (on stop), so another replica takes over at its next tick. */
export async function releaseLease(pool: Pool, holder: string): Promise<void> {
  await pool.query(
    `UPDATE alert_lease SET holder = NULL, expires_at = CURRENT_TIMESTAMP(3)
      WHERE name = ? AND holder = ?`,
    [LEASE, holder],
  );
}

export interface PendingNotification {
  id: number;
  key: string;
  payload: string;
  attempts: number;
  /** Whether its next attempt is due now (by the database's clock). */
  due: boolean;
}

/** The oldest undelivered notifications, in the order of their transitions. */
export async function pendingNotifications(
  pool: Pool,
  limit: number,
): Promise<PendingNotification[]> {
  const [rows] = await pool.query<Row[]>(
    `SELECT id, idempotency_key, payload, attempts, next_attempt_at <= CURRENT_TIMESTAMP(3) AS due
       FROM alert_notifications WHERE delivered_at IS NULL ORDER BY id LIMIT ?`,
    [limit],
  );
  return rows.map((row) => ({
    id: Number(row.id),
    key: row.idempotency_key,
    payload: typeof row.payload === 'string' ? row.payload : JSON.stringify(row.payload),
    attempts: Number(row.attempts),
    due: Number(row.due) === 1,
  }));
}

export async function markDelivered(pool: Pool, id: number): Promise<void> {
  await pool.query(
    `UPDATE alert_notifications SET delivered_at = CURRENT_TIMESTAMP(3), attempts = attempts + 1 WHERE id = ?`,
    [id],
  );
}

export async function markAttemptFailed(
  pool: Pool,
  id: number,
  error: string,
  retryInMs: number,
): Promise<void> {
  await pool.query(
    `UPDATE alert_notifications
        SET attempts = attempts + 1, last_error = ?,
            next_attempt_at = DATE_ADD(CURRENT_TIMESTAMP(3), INTERVAL ? MICROSECOND)
      WHERE id = ?`,
    [error.slice(0, 500), retryInMs * 1000, id],
  );
}
