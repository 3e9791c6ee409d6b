import { randomBytes } from 'node:crypto';
import {
  TEST_METRICS_TOKEN,
  jsonApi,
  sessionCookieHeader,
  signInSession,
  validGame,
  waitFor,
} from '@retro/common/testing';
import { accountName, migrate, serviceGrantStatements } from '@retro/database';
import { openTestResources, type TestResources } from '@retro/database/testing';
import { expect } from 'chai';
import mysql from 'mysql2/promise';
import { startBackend, type RunningBackend } from '../src/index.js';
import { TEST_TOKEN } from './helpers.js';

// The services' database account as docs/security.md ("Database accounts") sets it up: rows of
// the tables SERVICE_GRANTS lists and nothing else. The backend does its everyday work with it;
// every schema change is refused.
describe('the backend on a database account with the documented grants only', function () {
  this.timeout(60_000);
  const user = `t_svc_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const hosts = ['localhost', '127.0.0.1', '::1'];
  let resources: TestResources;
  let admin: mysql.Connection;
  let created = false;
  let backend: RunningBackend | undefined;
  let service: mysql.Connection;

  before(async function () {
    resources = await openTestResources('privilege');
    const { database } = resources;
    admin = await mysql.createConnection({ ...database, database: undefined });
    const [[mayCreate]] = await admin.query<mysql.RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM information_schema.user_privileges
       WHERE privilege_type = 'CREATE USER' AND grantee = CONCAT("'", SUBSTRING_INDEX(CURRENT_USER(), '@', 1), "'@'", SUBSTRING_INDEX(CURRENT_USER(), '@', -1), "'")`,
    );
    if (!Number(mayCreate!.n)) {
      // the development account `npm run setup` makes may not create accounts: nothing to test
      this.skip();
    }
    const [tables] = await admin.query<mysql.RowDataPacket[]>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ?',
      [database.database],
    );
    const names = tables.map((t) => t.name as string);
    for (const host of hosts) {
      await admin.query(`CREATE USER ${accountName(user, host)} IDENTIFIED BY '${password}'`);
      created = true;
      const account = accountName(user, host);
      for (const grant of serviceGrantStatements(database.database, account, names)) {
        await admin.query(grant);
      }
    }
    backend = await startBackend({
      queues: resources.queues,
      config: {
        DB_HOST: database.host,
        DB_PORT: database.port,
        DB_USER: user,
        DB_PASSWORD: password,
        DB_NAME: database.database,
        BACKEND_PORT: 0,
        INTERNAL_API_TOKEN: TEST_TOKEN,
        METRICS_TOKEN: TEST_METRICS_TOKEN,
        HOUSEKEEPING_INTERVAL_MS: 86_400_000,
        LOG_LEVEL: 'error',
      },
    });
    service = await mysql.createConnection({ ...database, user, password });
  });
  after(async () => {
    await backend?.stop();
    await service?.end();
    // (skipped when the test account may not create users: then there is none to drop)
    if (created) {
      for (const host of hosts)
        await admin?.query(`DROP USER IF EXISTS ${accountName(user, host)}`);
    }
    await admin?.end();
    await resources?.release();
  });

  const api = (role: 'editor' | 'operator') =>
    jsonApi(backend!.url, { token: resources.accounts[role].token });

  it('creates, updates and deletes a game, with its tasks, outbox rows, search words, counts and audit', async () => {
    const editor = api('editor');
    const created = await editor('/api/games', {
      method: 'POST',
      body: validGame({ title: 'Least Privilege Quest' }),
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.id as number;
    const found = await editor('/api/games?search=privilege');
    expect(found.body.map((g: { id: number }) => g.id)).to.include(id);

    // the relay marks the outbox row published (UPDATE outbox_events)
    await waitFor('the create event published', async () => {
      const [[row]] = await resources.sql.query<mysql.RowDataPacket[]>(
        'SELECT published_at FROM outbox_events WHERE game_id = ?',
        [id],
      );
      return row?.published_at ? true : undefined;
    });
    const tasks = await editor(`/api/tasks?gameId=${id}`);
    expect(tasks.status).to.equal(200);
    const eventId = tasks.body[0].messageId as string;
    const status = await jsonApi(backend!.url, { token: TEST_TOKEN })(
      '/api/internal/tasks/status',
      {
        method: 'PUT',
        body: {
          updates: [
            { messageId: eventId, status: 'completed', type: 'game', gameId: id, action: 'create' },
          ],
        },
      },
    );
    expect(status.status, JSON.stringify(status.body)).to.be.oneOf([200, 204]);

    const updated = await editor(`/api/games/${id}`, {
      method: 'PUT',
      body: validGame({ title: 'Least Privilege Quest II' }),
    });
    expect(updated.status, JSON.stringify(updated.body)).to.equal(200);
    expect((await editor('/api/tasks/counts')).status).to.equal(200);
    expect((await editor(`/api/games/${id}`, { method: 'DELETE' })).status).to.equal(204);

    const audit = await api('operator')(`/api/audit?target=game:${id}`);
    expect(audit.status).to.equal(200);
    expect(audit.body.map((e: { action: string }) => e.action)).to.include.members([
      'game.create',
      'game.update',
      'game.delete',
    ]);
  });

  it('signs in with a session, uses it, signs out; housekeeping prunes and folds', async () => {
    const session = await signInSession(backend!.url, resources.accounts.editor);
    const cookie = sessionCookieHeader(session);
    const me = await fetch(`${backend!.url}/api/session`, { headers: { cookie } });
    expect(me.status).to.equal(200);
    const out = await fetch(`${backend!.url}/api/session`, {
      method: 'DELETE',
      headers: { cookie, origin: backend!.url },
    });
    expect(out.status).to.be.oneOf([200, 204]);
    await backend!.housekeeping.runOnce();
  });

  for (const [what, sql] of [
    ['CREATE TABLE', 'CREATE TABLE intruder (a INT)'],
    ['ALTER TABLE', 'ALTER TABLE games ADD COLUMN intruder INT'],
    ['CREATE INDEX', 'CREATE INDEX idx_intruder ON games (developer)'],
    ['DROP TABLE', 'DROP TABLE audit_log'],
    [
      'CREATE TRIGGER',
      'CREATE TRIGGER trg_intruder BEFORE INSERT ON games FOR EACH ROW SET @a = 1',
    ],
    ['TRUNCATE', 'TRUNCATE TABLE audit_log'],
    ['reading schema_migrations', 'SELECT * FROM schema_migrations'],
  ] as const) {
    it(`is refused: ${what}`, async () => {
      const error = await service.query(sql).then(
        () => undefined,
        (e: { code?: string }) => e,
      );
      expect(error?.code, sql).to.match(/_ACCESS_DENIED|DENIED_ERROR/);
    });
  }

  it('cannot run the migrate step: that is DB_MIGRATE_USER\u2019s', async () => {
    const error = await migrate({ ...resources.database, user, password }).then(
      () => undefined,
      (e: { code?: string }) => e,
    );
    expect(error?.code).to.match(/ACCESS_DENIED/);
  });
});
