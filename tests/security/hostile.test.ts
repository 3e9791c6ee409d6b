// Attacks on sign-in and sessions against the running backend: each is refused and changes
// nothing. (Routes × roles: backend-access.test.ts; X-Actor and If-Match: backend/test.)
import { setEnabled, setRole, revokeTokens, SESSION_COOKIE } from '@retro/common';
import {
  TEST_PASSWORD,
  sessionCookieHeader,
  signInSession,
  validGame,
  waitFor,
} from '@retro/common/testing';
import { expect } from 'chai';
import type { RowDataPacket } from 'mysql2/promise';
import { securityBackend } from './lib/backend.js';

describe('hostile callers', function () {
  this.timeout(120_000);
  let env: Awaited<ReturnType<typeof securityBackend>>;
  let url: string;

  before(async () => {
    // the client's address comes from X-Forwarded-For here, so one test can be two addresses
    env = await securityBackend('hostile', { TRUST_PROXY: 'loopback' });
    url = env.backend.url;
  });
  after(() => env?.stop());

  const gameCount = async () => {
    const [[row]] = await env.resources.sql.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM games',
    );
    return Number(row!.n);
  };
  const createWithCookie = (session: string, headers: Record<string, string> = {}) =>
    fetch(`${url}/api/games`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: sessionCookieHeader(session),
        ...headers,
      },
      body: JSON.stringify(validGame({ title: 'Hostile' })),
    });
  const addAccount = async (username: string, role: string) => {
    const [[row]] = await env.resources.sql.query<RowDataPacket[]>(
      "SELECT password_hash FROM accounts WHERE username = 'test-editor'",
    );
    await env.resources.sql.query(
      'INSERT INTO accounts (username, role, password_hash) VALUES (?, ?, ?)',
      [username, role, row!.password_hash],
    );
    return { username, password: TEST_PASSWORD };
  };

  it('when a page on another origin posts with the session cookie, then it is refused (CSRF)', async () => {
    const session = await signInSession(url, env.resources.accounts.editor);
    const before = await gameCount();
    const fromElsewhere = await createWithCookie(session, { origin: 'https://evil.example' });
    expect(fromElsewhere.status).to.equal(403);
    const crossSite = await createWithCookie(session, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).to.equal(403);
    const nullOrigin = await createWithCookie(session, { origin: 'null' });
    expect(nullOrigin.status).to.equal(403);
    expect(await gameCount()).to.equal(before);
    // the same request from the catalog's own origin goes through
    const fromPage = await createWithCookie(session, { origin: 'http://localhost:8080' });
    expect(fromPage.status).to.equal(201);
  });

  it('when a client offers its own session id before signing in, then sign-in issues a new one (no fixation)', async () => {
    const planted = 'A'.repeat(43);
    const res = await fetch(`${url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: sessionCookieHeader(planted) },
      body: JSON.stringify({ username: 'test-editor', password: TEST_PASSWORD }),
    });
    expect(res.status).to.equal(200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    expect(cookie)
      .to.match(/HttpOnly/i)
      .and.match(/SameSite=Lax/i);
    const issued = cookie.slice(SESSION_COOKIE.length + 1).split(';')[0]!;
    expect(issued).to.not.equal(planted);
    const withPlanted = await fetch(`${url}/api/session`, {
      headers: { cookie: sessionCookieHeader(planted) },
    });
    expect(withPlanted.status).to.equal(401);
  });

  it('when an account is disabled, then its live session and its tokens stop working', async () => {
    const account = await addAccount('soon-disabled', 'editor');
    const session = await signInSession(url, account);
    expect((await createWithCookie(session)).status).to.equal(201);
    await setEnabled(env.resources.sql, 'soon-disabled', false);
    // answers are cached for up to a second per instance; probe with a read that changes nothing
    const who = () =>
      fetch(`${url}/api/session`, { headers: { cookie: sessionCookieHeader(session) } });
    await waitFor('the disabled session to be refused', async () =>
      (await who()).status === 401 ? true : undefined,
    );
    const before = await gameCount();
    expect((await createWithCookie(session)).status).to.equal(401);
    expect(await gameCount()).to.equal(before);
    // and it cannot sign in again
    const again = await fetch(`${url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(account),
    });
    expect(again.status).to.equal(401);
  });

  it('when a token is revoked, then it is refused within the identity cache time', async () => {
    const { token } = env.resources.accounts.tester;
    const call = () =>
      fetch(`${url}/api/games`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(validGame({ title: 'Revoked' })),
      });
    expect((await call()).status).to.equal(201);
    expect(await revokeTokens(env.resources.sql, 'test-tester')).to.equal(1);
    const probe = () =>
      fetch(`${url}/api/session`, { headers: { authorization: `Bearer ${token}` } });
    await waitFor('the revoked token to be refused', async () =>
      (await probe()).status === 401 ? true : undefined,
    );
    const before = await gameCount();
    expect((await call()).status).to.equal(401);
    expect(await gameCount()).to.equal(before);
  });

  it('when someone guesses passwords, then that name from that address is throttled with Retry-After, while the owner elsewhere still signs in', async () => {
    await addAccount('guarded-op', 'operator');
    const attempt = (password: string, address: string) =>
      fetch(`${url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
        body: JSON.stringify({ username: 'guarded-op', password }),
      });
    for (let i = 0; i < 10; i += 1) {
      expect((await attempt(`wrong-guess-${i}`, '203.0.113.7')).status).to.equal(401);
    }
    const throttled = await attempt(TEST_PASSWORD, '203.0.113.7');
    expect(throttled.status).to.equal(429);
    expect(Number(throttled.headers.get('retry-after'))).to.be.within(1, 900);
    // the right password from the owner's address is not locked out
    expect((await attempt(TEST_PASSWORD, '198.51.100.2')).status).to.equal(200);
    const metrics = await (
      await fetch(`${url}/metrics`, {
        headers: { authorization: 'Bearer test-metrics-token-0123456789' },
      })
    ).text();
    expect(metrics).to.match(/sign_in_attempts_total\{outcome="throttled"\} [1-9]/);
    const [[audit]] = await env.resources.sql.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'sign-in-failed' AND target = 'account:guarded-op'",
    );
    expect(Number(audit!.n)).to.equal(10);
  });

  it('when the Host header names another site, then the API answers 421 but health and token routes still work', async () => {
    const forged = { host: 'evil.example' };
    const { request } = await import('node:http');
    const get = (path: string, headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${url}${path}`, { headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await get('/api/games', forged)).to.equal(421);
    expect(
      await get('/api/games', { host: 'localhost:3000', 'x-forwarded-host': 'evil.example' }),
    ).to.equal(421);
    expect(await get('/health', forged)).to.equal(200);
    expect(
      await get('/api/games', {
        ...forged,
        authorization: `Bearer ${env.resources.accounts.viewer.token}`,
      }),
    ).to.equal(200);
  });

  it('when the last enabled operator would be demoted or disabled, then it is refused and nothing changes', async () => {
    // two operators: demoting one is fine, then the other is the last
    await env.resources.sql.query(
      "UPDATE accounts SET enabled = FALSE WHERE role = 'operator' AND username <> 'test-operator'",
    );
    await addAccount('second-op', 'operator');
    await setRole(env.resources.sql, 'second-op', 'viewer');
    let refused: unknown;
    await setRole(env.resources.sql, 'test-operator', 'editor').catch(
      (e: unknown) => (refused = e),
    );
    expect(refused).to.have.property('status', 409);
    refused = undefined;
    await setEnabled(env.resources.sql, 'test-operator', false).catch(
      (e: unknown) => (refused = e),
    );
    expect(refused).to.have.property('status', 409);
    const [[row]] = await env.resources.sql.query<RowDataPacket[]>(
      "SELECT role, enabled FROM accounts WHERE username = 'test-operator'",
    );
    expect(row).to.deep.include({ role: 'operator', enabled: 1 });
  });

  it('when a client sends X-Actor, then the audit trail names the signed-in account', async () => {
    const res = await fetch(`${url}/api/games`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${env.resources.accounts.editor.token}`,
        'content-type': 'application/json',
        'x-actor': 'mallory',
      },
      body: JSON.stringify(validGame({ title: 'Actor check' })),
    });
    expect(res.status).to.equal(201);
    const [rows] = await env.resources.sql.query<RowDataPacket[]>(
      "SELECT actor FROM audit_log WHERE actor = 'mallory'",
    );
    expect(rows).to.have.length(0);
  });
});
