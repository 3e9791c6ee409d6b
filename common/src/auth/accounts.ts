import type {
  Connection,
  Pool,
  PoolConnection,
  ResultSetHeader,
  RowDataPacket,
} from 'mysql2/promise';
import { ROLES, type Role } from '../access-api.js';
import { AppError } from '../errors.js';
import { generatePassword, generateToken, hashPassword, secretDigest } from './secrets.js';

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
export type Db = Pool | Connection;

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

/** Whether an enabled operator exists (the migrate step creates `admin` when none does). */
export async function operatorExists(db: Db): Promise<boolean> {
  const [rows] = await db.query<RowDataPacket[]>(
    "SELECT 1 FROM accounts WHERE role = 'operator' AND enabled LIMIT 1",
  );
  return rows.length > 0;
}
