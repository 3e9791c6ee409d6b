import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Role } from '../access-api.js';
import { secretDigest } from './secrets.js';

/**
 * Who is asking. `via` says how they proved it: a browser session cookie, a personal API token,
 * the internal token (the consumer, the producer's calls to the backend) or the metrics token.
 */
export interface Principal {
  username: string;
  role: Role;
  accountId: number | null;
  via: 'session' | 'token' | 'internal' | 'metrics';
}

interface Cached {
  principal: Principal | null;
  until: number;
}

/**
 * Finds the account behind a session id or a personal token. Answers are kept for `cacheMs`
 * (default 1 s), so a busy client costs one indexed read a second rather than one per request;
 * a disabled account, a changed role or a revoked token takes effect within that time.
 */
export class IdentityStore {
  private readonly cache = new Map<string, Cached>();
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly pool: Pool,
    private readonly settings: {
      sessionIdleMs: number;
      sessionMaxMs: number;
      cacheMs?: number;
    },
  ) {}

  /** The account a session cookie's value belongs to, or null (unknown, expired, disabled). */
  async fromSession(sessionId: string): Promise<Principal | null> {
    return this.cached(`s:${sessionId}`, async () => {
      const idHash = secretDigest(sessionId);
      const [rows] = await this.pool.query<RowDataPacket[]>(
        `SELECT a.id, a.username, a.role,
                TIMESTAMPDIFF(SECOND, s.last_seen_at, NOW(3)) AS idle_s
           FROM sessions s JOIN accounts a ON a.id = s.account_id
          WHERE s.id_hash = ? AND a.enabled
            AND s.created_at > NOW(3) - INTERVAL ? SECOND
            AND s.last_seen_at > NOW(3) - INTERVAL ? SECOND`,
        [
          idHash,
          Math.floor(this.settings.sessionMaxMs / 1000),
          Math.floor(this.settings.sessionIdleMs / 1000),
        ],
      );
      const row = rows[0];
      if (!row) return null;
      // the idle clock restarts at most once a minute per session: no write per request
      if (Number(row.idle_s) >= 60) this.touch('sessions', 'id_hash', idHash, 'last_seen_at');
      return { username: row.username, role: row.role, accountId: row.id, via: 'session' };
    });
  }

  /** The account a personal API token belongs to, or null (unknown, revoked, disabled). */
  async fromToken(token: string): Promise<Principal | null> {
    return this.cached(`t:${token}`, async () => {
      const tokenHash = secretDigest(token);
      const [rows] = await this.pool.query<RowDataPacket[]>(
        `SELECT a.id, a.username, a.role
           FROM account_tokens t JOIN accounts a ON a.id = t.account_id
          WHERE t.token_hash = ? AND t.revoked_at IS NULL AND a.enabled`,
        [tokenHash],
      );
      const row = rows[0];
      if (!row) return null;
      this.touch('account_tokens', 'token_hash', tokenHash, 'last_used_at');
      return { username: row.username, role: row.role, accountId: row.id, via: 'token' };
    });
  }

  /** Forgets a cached answer at once (sign-out on this instance). */
  forgetSession(sessionId: string): void {
    this.cache.delete(`s:${sessionId}`);
  }

  private async cached(key: string, load: () => Promise<Principal | null>) {
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.principal;
    const principal = await load();
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(key, { principal, until: now + (this.settings.cacheMs ?? 1000) });
    return principal;
  }

  /** Records use (a session's last request, a token's last use) at most once a minute. */
  private touch(table: string, column: string, key: Buffer, field: string) {
    const id = `${table}:${key.toString('hex')}`;
    const now = Date.now();
    if ((this.touched.get(id) ?? 0) > now - 60_000) return;
    if (this.touched.size >= 10_000) this.touched.clear();
    this.touched.set(id, now);
    // best effort: a lost update only makes an idle session end up to a minute early
    void this.pool
      .query(`UPDATE ${table} SET ${field} = NOW(3) WHERE ${column} = ?`, [key])
      .catch(() => undefined);
  }
}
