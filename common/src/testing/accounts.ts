import type { Pool } from 'mysql2/promise';
import { ROLES, type Role } from '../access-api.js';
import { createToken } from '../auth/accounts.js';
import { hashPassword } from '../auth/secrets.js';
import { SESSION_COOKIE } from '../auth/access.js';

/** One account of a test's database: sign in with the password, or call with the token. */
export interface TestAccount {
  username: string;
  role: Role;
  password: string;
  /** A personal API token (`Authorization: Bearer`). */
  token: string;
}

export type TestAccounts = Record<Role, TestAccount>;

/** The password of every test account (a test that changes one uses its own account). */
export const TEST_PASSWORD = 'test-password-0123';

/** The METRICS_TOKEN test services run with, so tests read /metrics as a scraper does. */
export const TEST_METRICS_TOKEN = 'test-metrics-token-0123456789';

let passwordHash: Promise<string> | undefined;

/**
 * One account per role (`test-viewer` … `test-operator`) with a token each, in the test's own
 * database: how tests sign in as the role they need. The hash is made once per process.
 */
export async function createTestAccounts(pool: Pool): Promise<TestAccounts> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const hash = await passwordHash;
  const accounts = {} as TestAccounts;
  for (const role of ROLES) {
    const username = `test-${role}`;
    await pool.query(
      'INSERT INTO accounts (username, role, password_hash) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE role = VALUES(role)',
      [username, role, hash],
    );
    const { token } = await createToken(pool, username, 'tests');
    accounts[role] = { username, role, password: TEST_PASSWORD, token };
  }
  return accounts;
}

/**
 * Signs in through `POST /api/session` as a browser would and answers the session cookie's
 * value (for a browser context, or a `cookie` header).
 */
export async function signInSession(
  baseUrl: string,
  account: Pick<TestAccount, 'username' | 'password'>,
): Promise<string> {
  const res = await fetch(`${baseUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: account.username, password: account.password }),
  });
  if (res.status !== 200) throw new Error(`sign-in as ${account.username} answered ${res.status}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!cookie) throw new Error('sign-in set no session cookie');
  return cookie.slice(SESSION_COOKIE.length + 1).split(';')[0]!;
}

/** The cookie header of a session (`signInSession`). */
export const sessionCookieHeader = (session: string) => `${SESSION_COOKIE}=${session}`;
