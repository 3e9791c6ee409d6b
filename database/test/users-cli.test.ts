// `npm run users`, the built command run as a child process against a test database, with a
// real backend on the same database to show that what it makes signs in, and what it takes
// away stops working.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBackend, type RunningBackend } from '@retro/backend';
import { TEST_TOKEN, jsonApi, waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import type mysql from 'mysql2/promise';
import { openTestResources, type TestResources } from '../src/testing.js';
import { runCli } from './run-cli.js';

describe('npm run users', function () {
  this.timeout(60_000);
  let resources: TestResources;
  let backend: RunningBackend;
  let cwd: string;

  before(async () => {
    resources = await openTestResources('users_cli');
    cwd = mkdtempSync(join(tmpdir(), 'retro-users-'));
    backend = await startBackend({
      queues: resources.queues,
      config: {
        DB_NAME: resources.database.database,
        BACKEND_PORT: 0,
        INTERNAL_API_TOKEN: TEST_TOKEN,
        LOG_LEVEL: 'error',
      },
    });
  });

  after(async () => {
    await backend?.stop();
    await resources?.probe.deleteExchange(`${resources.queues.main}.task_changes`).catch(() => {});
    await resources?.release();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  const users = (args: string[], stdin?: string) =>
    runCli('users-cli.js', args, { database: resources.database, cwd, stdin });

  const api = () => jsonApi(backend.url);
  const signIn = (username: string, password: string) =>
    api()('/api/session', { method: 'POST', body: { username, password } });
  const whoIs = (token: string) => api()('/api/session', { token });

  /** Every account row as it stands, to show a refused command changed nothing. */
  async function accounts() {
    const [rows] = await resources.sql.query<mysql.RowDataPacket[]>(
      'SELECT username, role, enabled, password_hash FROM accounts ORDER BY username',
    );
    return rows.map((r) => ({ ...r }));
  }

  /** A refusal: exit status 1, one line on standard error, nothing on standard output. */
  function refused(run: { code: number | null; stdout: string; stderr: string }, says: RegExp) {
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stderr).to.match(/^users: [^\n]+\n$/);
    expect(run.stderr).to.match(says);
    expect(run.stdout).to.equal('');
  }

  it('when an account is added with its password on standard input, then it signs in with it', async () => {
    const run = await users(
      ['add', 'dana', '--role', 'editor', '--password-stdin'],
      'dana-pass-0123\n',
    );
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).not.to.include('dana-pass-0123');
    const session = await signIn('dana', 'dana-pass-0123');
    expect(session.status).to.equal(200);
    expect(session.body).to.deep.equal({ username: 'dana', role: 'editor' });
    const [[audit]] = await resources.sql.query<mysql.RowDataPacket[]>(
      "SELECT service, action, target FROM audit_log WHERE target = 'account:dana'",
    );
    expect({ ...audit }).to.deep.equal({
      service: 'users-cli',
      action: 'account-add',
      target: 'account:dana',
    });
  });

  it('when no password is given, then one is generated and printed once, alone on the last line', async () => {
    const run = await users(['add', 'erin', '--role', 'viewer']);
    expect(run.code, run.stderr).to.equal(0);
    const password = run.lines.at(-1)!;
    expect(password).to.match(/^\S{20}$/);
    expect((await signIn('erin', password)).status).to.equal(200);
  });

  it('when the name exists, the role is unknown, the name is bad or the password short, then it says so in one line and changes nothing', async () => {
    const before = await accounts();
    refused(await users(['add', 'dana', '--role', 'operator']), /an account named dana exists/);
    refused(await users(['add', 'frank', '--role', 'admin']), /unknown role "admin"/);
    refused(await users(['add', 'no spaces', '--role', 'viewer']), /bad account name/);
    refused(
      await users(['add', 'frank', '--role', 'viewer', '--password-stdin'], 'short\n'),
      /at least 10 characters/,
    );
    refused(await users(['set-role', 'dana', 'boss']), /unknown role "boss"/);
    refused(await users(['disable', 'nobody']), /no account named nobody/);
    refused(await users(['frobnicate']), /unknown command/);
    expect(await accounts()).to.deep.equal(before);
  });

  it('lists every account in a table: name, role, enabled, last sign-in, tokens', async () => {
    const run = await users(['list']);
    expect(run.code, run.stderr).to.equal(0);
    const [header, ...rows] = run.lines.map((l) => l.split(/ {2,}/));
    expect(header).to.deep.equal(['NAME', 'ROLE', 'ENABLED', 'LAST SIGN-IN (UTC)', 'TOKENS']);
    const row = (name: string) => rows.find((r) => r[0] === name);
    expect(row('test-operator')).to.deep.equal(['test-operator', 'operator', 'yes', 'never', '1']);
    expect(row('dana')![3], 'dana signed in').to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(rows.map((r) => r[0])).to.include.members(['dana', 'erin', 'test-viewer']);
  });

  it('when a token is made, then it is alone on the last line and calls the API as its account; revoked, it gets 401', async () => {
    const run = await users(['token', 'dana', '--label', 'ci']);
    expect(run.code, run.stderr).to.equal(0);
    const token = run.lines.at(-1)!;
    expect(token).to.match(/^rgc_[A-Za-z0-9_-]{43}$/);
    const id = /token (\d+) of dana/.exec(run.lines.at(-2)!)![1]!;
    const asDana = await whoIs(token);
    expect(asDana.status).to.equal(200);
    expect(asDana.body).to.deep.equal({ username: 'dana', role: 'editor' });

    refused(await users(['revoke', 'dana', '999999']), /dana has no active token 999999/);
    const revoked = await users(['revoke', 'dana', id]);
    expect(revoked.code, revoked.stderr).to.equal(0);
    expect(revoked.stdout).to.match(/^revoked 1 token of dana/);
    // the backend remembers a token's owner for a second at most
    await waitFor(
      'the revoked token to be refused',
      async () => (await whoIs(token)).status === 401,
    );
  });

  it('when the last enabled operator would be demoted or disabled, then it refuses and it stays an operator', async () => {
    const before = await accounts();
    refused(await users(['set-role', 'test-operator', 'tester']), /last enabled operator/);
    refused(await users(['disable', 'test-operator']), /last enabled operator/);
    expect(await accounts()).to.deep.equal(before);

    // with a second operator the first may step down
    expect((await users(['set-role', 'erin', 'operator'])).code).to.equal(0);
    expect((await users(['set-role', 'test-operator', 'tester'])).code).to.equal(0);
    refused(await users(['disable', 'erin']), /erin is the last enabled operator/);
    expect((await users(['set-role', 'test-operator', 'operator'])).code).to.equal(0);
  });

  it('when an account is disabled, then its token stops working, and enabled again it works', async () => {
    const token = (await users(['token', 'dana'])).lines.at(-1)!;
    expect((await whoIs(token)).status).to.equal(200);
    expect((await users(['disable', 'dana'])).code).to.equal(0);
    await waitFor(
      'the disabled account to be refused',
      async () => (await whoIs(token)).status === 401,
    );
    expect((await signIn('dana', 'dana-pass-0123')).status).to.equal(401);
    expect((await users(['enable', 'dana'])).code).to.equal(0);
    await waitFor('the account to work again', async () => (await whoIs(token)).status === 200);
  });

  it('when a password is reset, then a new one is printed, it signs in, and the old one and open sessions do not', async () => {
    const old = await signIn('dana', 'dana-pass-0123');
    const cookie = old.headers.get('set-cookie')!.split(';')[0]!;
    const run = await users(['reset-password', 'dana']);
    expect(run.code, run.stderr).to.equal(0);
    const password = run.lines.at(-1)!;
    expect(password).to.match(/^\S{20}$/);
    expect((await signIn('dana', 'dana-pass-0123')).status).to.equal(401);
    expect((await signIn('dana', password)).status).to.equal(200);
    await waitFor('the old session to end', async () => {
      const res = await api()('/api/session', { headers: { cookie } });
      return res.status === 401;
    });
  });

  it('answers --help with the commands', async () => {
    const run = await users(['--help']);
    expect(run.code).to.equal(0);
    for (const command of [
      'add',
      'list',
      'set-role',
      'disable',
      'enable',
      'reset-password',
      'token',
      'revoke',
    ]) {
      expect(run.stdout, command).to.match(new RegExp(`^  (.* )?${command}\\b`, 'm'));
    }
  });
});
