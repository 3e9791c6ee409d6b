// A session ends when it should: idle or too old, at sign-out, when the password changes; and
// housekeeping removes what has ended.
import { TEST_PASSWORD, sessionCookieHeader, signInSession, waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import type { RowDataPacket } from 'mysql2/promise';
import { securityBackend } from './lib/backend.js';

describe('session lifetime', function () {
  this.timeout(60_000);
  let env: Awaited<ReturnType<typeof securityBackend>>;
  let url: string;

  before(async () => {
    env = await securityBackend('sessions', {
      SESSION_IDLE_MS: 600_000,
      SESSION_MAX_MS: 3_600_000,
    });
    url = env.backend.url;
  });
  after(() => env?.stop());

  const whoAmI = async (session: string) =>
    (await fetch(`${url}/api/session`, { headers: { cookie: sessionCookieHeader(session) } }))
      .status;
  const ended = (session: string) =>
    waitFor('the session to end', async () => ((await whoAmI(session)) === 401 ? true : undefined));
  const sessionRows = async () => {
    const [[row]] = await env.resources.sql.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM sessions',
    );
    return Number(row!.n);
  };

  it('when a session is unused past SESSION_IDLE_MS, or older than SESSION_MAX_MS, then it ends and housekeeping removes it', async () => {
    const idle = await signInSession(url, env.resources.accounts.viewer);
    const old = await signInSession(url, env.resources.accounts.editor);
    const fresh = await signInSession(url, env.resources.accounts.tester);
    expect(await whoAmI(idle)).to.equal(200);
    await env.resources.sql.query(
      "UPDATE sessions s JOIN accounts a ON a.id = s.account_id SET s.last_seen_at = NOW(3) - INTERVAL 11 MINUTE WHERE a.username = 'test-viewer'",
    );
    await env.resources.sql.query(
      "UPDATE sessions s JOIN accounts a ON a.id = s.account_id SET s.created_at = NOW(3) - INTERVAL 61 MINUTE WHERE a.username = 'test-editor'",
    );
    await ended(idle);
    await ended(old);
    expect(await whoAmI(fresh)).to.equal(200);
    expect(await sessionRows()).to.equal(3);
    const pruned = await env.backend.housekeeping.runOnce();
    expect(pruned).to.include({ sessions: 2 });
    expect(await sessionRows()).to.equal(1);
  });

  it('when someone signs out, then the cookie no longer signs anyone in', async () => {
    const session = await signInSession(url, env.resources.accounts.viewer);
    const out = await fetch(`${url}/api/session`, {
      method: 'DELETE',
      headers: { cookie: sessionCookieHeader(session) },
    });
    expect(out.status).to.equal(204);
    expect(out.headers.getSetCookie().join()).to.match(/retro_session=;/);
    expect(await whoAmI(session)).to.equal(401);
  });

  it('when a user changes the password, then the other sessions end and the one in use stays', async () => {
    const [[hash]] = await env.resources.sql.query<RowDataPacket[]>(
      "SELECT password_hash FROM accounts WHERE username = 'test-viewer'",
    );
    await env.resources.sql.query(
      "INSERT INTO accounts (username, role, password_hash) VALUES ('changer', 'viewer', ?)",
      [hash!.password_hash],
    );
    const account = { username: 'changer', password: TEST_PASSWORD };
    const here = await signInSession(url, account);
    const elsewhere = await signInSession(url, account);
    const change = (currentPassword: string) =>
      fetch(`${url}/api/session/password`, {
        method: 'PUT',
        headers: { cookie: sessionCookieHeader(here), 'content-type': 'application/json' },
        body: JSON.stringify({ currentPassword, newPassword: 'a-brand-new-password' }),
      });
    expect((await change('not-the-password')).status).to.equal(400);
    expect(await whoAmI(elsewhere)).to.equal(200);
    expect((await change(TEST_PASSWORD)).status).to.equal(204);
    await ended(elsewhere);
    expect(await whoAmI(here)).to.equal(200);
    const again = await signInSession(url, {
      username: 'changer',
      password: 'a-brand-new-password',
    });
    expect(await whoAmI(again)).to.equal(200);
  });
});
