import { randomBytes } from 'node:crypto';
import type {
  Connection,
  Pool,
  PoolConnection,
  ResultSetHeader,
  RowDataPacket,
} from 'mysql2/promise';
import { ROLES, type Role } from '../access-api.js';
import { AppError } from '../errors.js';
import {
  generatePassword,
  generateToken,
  hashPassword,
  secretDigest,
  verifyPassword,
} from './secrets.js';

/** Account management, as the `users` command and the session routes use it. */

export interface AccountRow {
  id: number;
  username: string;
  role: Role;
  enabled: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
  /** Tokens not revoked. */
  tokens: number;
}

/** A pool, or one connection (a transaction's, or the migrate step's). */
type Db = Pool | Connection;

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export async function listAccounts(db: Db): Promise<AccountRow[]> {
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT a.id, a.username, a.role, a.enabled, a.created_at, a.last_login_at,
            (SELECT COUNT(*) FROM account_tokens t WHERE t.account_id = a.id AND t.revoked_at IS NULL) AS tokens
       FROM accounts a ORDER BY a.username`,
  );
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    role: r.role,
    enabled: Boolean(r.enabled),
    createdAt: r.created_at,
    lastLoginAt: r.last_login_at,
    tokens: Number(r.tokens),
  }));
}

async function accountId(db: Db, username: string): Promise<number> {
  const [rows] = await db.query<RowDataPacket[]>('SELECT id FROM accounts WHERE username = ?', [
    username,
  ]);
  if (!rows[0]) throw AppError.notFound(`Account ${username}`);
  return rows[0].id as number;
}

/** Creates an account; a password is generated when none is given. Answers the password. */
export async function addAccount(
  db: Db,
  username: string,
  role: Role,
  password: string = generatePassword(),
): Promise<string> {
  try {
    await db.query('INSERT INTO accounts (username, role, password_hash) VALUES (?, ?, ?)', [
      username,
      role,
      await hashPassword(password),
    ]);
  } catch (error) {
    if ((error as { code?: string }).code === 'ER_DUP_ENTRY') {
      throw new AppError('CONFLICT', 409, `An account named ${username} exists already`);
    }
    throw error;
  }
  return password;
}

/**
 * Runs `change` in a transaction that holds every operator row, so two demotions at once cannot
 * both pass the "one enabled operator remains" check.
 */
async function guardOperators(
  pool: Pool,
  username: string,
  change: (c: PoolConnection) => Promise<void>,
  keepsOperator: boolean,
) {
  const connection = await pool.getConnection();
  try {
    await connection.beginTransaction();
    const [operators] = await connection.query<RowDataPacket[]>(
      "SELECT username FROM accounts WHERE role = 'operator' AND enabled FOR UPDATE",
    );
    const others = operators.filter((o) => o.username !== username);
    if (!keepsOperator && others.length === 0 && operators.length > 0) {
      throw new AppError(
        'CONFLICT',
        409,
        `${username} is the last enabled operator; make another operator first`,
      );
    }
    await change(connection);
    await connection.commit();
  } catch (error) {
    await connection.rollback().catch(() => undefined);
    throw error;
  } finally {
    connection.release();
  }
}

export async function setRole(pool: Pool, username: string, role: Role): Promise<void> {
  await guardOperators(
    pool,
    username,
    async (c) => {
      const id = await accountId(c, username);
      await c.query('UPDATE accounts SET role = ? WHERE id = ?', [role, id]);
    },
    role === 'operator',
  );
}

export async function setEnabled(pool: Pool, username: string, enabled: boolean): Promise<void> {
  await guardOperators(
    pool,
    username,
    async (c) => {
      const id = await accountId(c, username);
      await c.query('UPDATE accounts SET enabled = ? WHERE id = ?', [enabled, id]);
      // a disabled account's browser sessions end now, not at their expiry
      if (!enabled) await c.query('DELETE FROM sessions WHERE account_id = ?', [id]);
    },
    enabled,
  );
}

/** Sets a new password (generated when none is given) and ends the account's sessions. */
export async function resetPassword(db: Db, username: string, password = generatePassword()) {
  const id = await accountId(db, username);
  await db.query('UPDATE accounts SET password_hash = ? WHERE id = ?', [
    await hashPassword(password),
    id,
  ]);
  await db.query('DELETE FROM sessions WHERE account_id = ?', [id]);
  return password;
}

/** A personal API token: only its digest is stored; the token is answered once. */
export async function createToken(db: Db, username: string, label: string | null) {
  const id = await accountId(db, username);
  const token = generateToken();
  const [result] = await db.query<ResultSetHeader>(
    'INSERT INTO account_tokens (account_id, label, token_hash) VALUES (?, ?, ?)',
    [id, label, secretDigest(token)],
  );
  return { id: result.insertId, token };
}

/** Revokes one token, or every token of the account; answers how many. */
export async function revokeTokens(db: Db, username: string, tokenId?: number): Promise<number> {
  const id = await accountId(db, username);
  const [result] = await db.query<ResultSetHeader>(
    `UPDATE account_tokens SET revoked_at = NOW(3)
      WHERE account_id = ? AND revoked_at IS NULL ${tokenId === undefined ? '' : 'AND id = ?'}`,
    tokenId === undefined ? [id] : [id, tokenId],
  );
  return result.affectedRows;
}

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

/** Whether an enabled operator exists (the migrate step creates `admin` when none does). */
export async function operatorExists(db: Db): Promise<boolean> {
  const [rows] = await db.query<RowDataPacket[]>(
    "SELECT 1 FROM accounts WHERE role = 'operator' AND enabled LIMIT 1",
  );
  return rows.length > 0;
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
