import { randomBytes } from 'node:crypto';
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Role } from '../access-api.js';
import type { Db } from './accounts.js';
import { hashPassword, secretDigest, verifyPassword } from './secrets.js';

/** Sign-in with its throttle, browser sessions and their end, as the session routes use them. */

/** Failed sign-ins allowed per (account, address) and per address within the window. */
export const SIGN_IN_LIMITS = { perAccountAddress: 10, perAddress: 30, windowSeconds: 900 };

export type SignInOutcome =
  | { ok: true; username: string; role: Role; sessionId: string }
  | { ok: false; throttled: false }
  | { ok: false; throttled: true; retryAfterSeconds: number };

const throttleKeys = (username: string, ip: string) => [
  `a:${username.toLowerCase().slice(0, 64)}|${ip}`.slice(0, 200),
  `i:${ip}`.slice(0, 200),
];

/**
 * Checks a password and opens a session with a new id (never one the client offered: no
 * fixation). Failures are counted per (account, address) and per address, so a guesser
 * elsewhere cannot lock an operator out; past the limits, answers how long to wait.
 */
export async function signIn(
  pool: Pool,
  username: string,
  password: string,
  ip: string,
): Promise<SignInOutcome> {
  const [accountKey, addressKey] = throttleKeys(username, ip);
  const [counts] = await pool.query<RowDataPacket[]>(
    `SELECT scope_key, failures,
            GREATEST(1, ? - TIMESTAMPDIFF(SECOND, window_started_at, NOW(3))) AS retry_after
       FROM sign_in_failures
      WHERE scope_key IN (?, ?) AND window_started_at > NOW(3) - INTERVAL ? SECOND`,
    [SIGN_IN_LIMITS.windowSeconds, accountKey, addressKey, SIGN_IN_LIMITS.windowSeconds],
  );
  for (const row of counts) {
    const limit =
      row.scope_key === accountKey ? SIGN_IN_LIMITS.perAccountAddress : SIGN_IN_LIMITS.perAddress;
    if (Number(row.failures) >= limit) {
      return { ok: false, throttled: true, retryAfterSeconds: Number(row.retry_after) };
    }
  }
  const [rows] = await pool.query<RowDataPacket[]>(
    'SELECT id, username, role, password_hash, enabled FROM accounts WHERE username = ?',
    [username],
  );
  const account = rows[0];
  const matches = await verifyPassword(
    password,
    account ? (account.password_hash as string) : null,
  );
  if (!account || !matches || !account.enabled) {
    await pool.query(
      `INSERT INTO sign_in_failures (scope_key, failures, window_started_at) VALUES (?, 1, NOW(3)), (?, 1, NOW(3))
       ON DUPLICATE KEY UPDATE
         failures = IF(window_started_at > NOW(3) - INTERVAL ? SECOND, failures + 1, 1),
         window_started_at = IF(window_started_at > NOW(3) - INTERVAL ? SECOND, window_started_at, NOW(3))`,
      [accountKey, addressKey, SIGN_IN_LIMITS.windowSeconds, SIGN_IN_LIMITS.windowSeconds],
    );
    return { ok: false, throttled: false };
  }
  const sessionId = randomBytes(32).toString('base64url');
  await pool.query('INSERT INTO sessions (id_hash, account_id, client_ip) VALUES (?, ?, ?)', [
    secretDigest(sessionId),
    account.id,
    ip.slice(0, 64),
  ]);
  await pool.query('UPDATE accounts SET last_login_at = NOW(3) WHERE id = ?', [account.id]);
  await pool.query('DELETE FROM sign_in_failures WHERE scope_key = ?', [accountKey]);
  return { ok: true, username: account.username, role: account.role, sessionId };
}

export async function endSession(db: Db, sessionId: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE id_hash = ?', [secretDigest(sessionId)]);
}

/**
 * Changes a signed-in account's own password after checking the current one; every other
 * session of the account ends (the one in use stays).
 */
export async function changeOwnPassword(
  pool: Pool,
  accountIdValue: number,
  currentPassword: string,
  newPassword: string,
  keepSessionId: string | null,
): Promise<boolean> {
  const [rows] = await pool.query<RowDataPacket[]>(
    'SELECT password_hash FROM accounts WHERE id = ?',
    [accountIdValue],
  );
  if (!(await verifyPassword(currentPassword, (rows[0]?.password_hash as string) ?? null)))
    return false;
  await pool.query('UPDATE accounts SET password_hash = ? WHERE id = ?', [
    await hashPassword(newPassword),
    accountIdValue,
  ]);
  await pool.query('DELETE FROM sessions WHERE account_id = ? AND id_hash <> ?', [
    accountIdValue,
    keepSessionId ? secretDigest(keepSessionId) : Buffer.alloc(32),
  ]);
  return true;
}

/**
 * Removes sessions past their idle or absolute lifetime and failure counts whose window has
 * closed (housekeeping): neither would let anyone in, but both tables would grow for ever.
 */
export async function pruneExpiredSessions(
  db: Db,
  sessionIdleMs: number,
  sessionMaxMs: number,
  limit = 1000,
): Promise<number> {
  const [sessions] = await db.query<ResultSetHeader>(
    `DELETE FROM sessions
      WHERE last_seen_at < NOW(3) - INTERVAL ? SECOND OR created_at < NOW(3) - INTERVAL ? SECOND
      LIMIT ?`,
    [Math.floor(sessionIdleMs / 1000), Math.floor(sessionMaxMs / 1000), limit],
  );
  const [failures] = await db.query<ResultSetHeader>(
    'DELETE FROM sign_in_failures WHERE window_started_at < NOW(3) - INTERVAL ? SECOND LIMIT ?',
    [SIGN_IN_LIMITS.windowSeconds, limit],
  );
  return sessions.affectedRows + failures.affectedRows;
}
