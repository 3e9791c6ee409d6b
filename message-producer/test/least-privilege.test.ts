import { randomBytes } from 'node:crypto';
import { waitFor } from '@retro/common/testing';
import { accountName } from '@retro/database';
import { testDbAccount } from '@retro/database/testing';
import { expect } from 'chai';
import mysql from 'mysql2/promise';
import { type ProducerTestEnv, startProducerTestEnv } from './helpers.js';
import { park, poisonMessages, unarchivable } from './parking.js';

// The services' database account as `npm run setup` and compose make it: SELECT, INSERT, UPDATE
// and DELETE on the catalog database, nothing else (docs/security.md, "Database accounts"). The
// producer archives, lists, deletes, restores, replays, quarantines, purges and audits with it.
describe('the producer on the rows-only database account', function () {
  this.timeout(60_000);
  const user = `t_prd_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const hosts = ['localhost', '127.0.0.1', '::1'];
  const prefix = `prodpriv_${randomBytes(2).toString('hex')}`;
  let admin: mysql.Connection | undefined;
  let created = false;
  let h: ProducerTestEnv | undefined;

  before(async function () {
    admin = await mysql.createConnection(testDbAccount());
    const [[mayCreate]] = await admin.query<mysql.RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM information_schema.user_privileges
       WHERE privilege_type = 'CREATE USER' AND grantee = CONCAT("'", SUBSTRING_INDEX(CURRENT_USER(), '@', 1), "'@'", SUBSTRING_INDEX(CURRENT_USER(), '@', -1), "'")`,
    );
    // the development account `npm run setup` makes may not create accounts: nothing to test
    if (!Number(mayCreate!.n)) this.skip();
    for (const host of hosts) {
      await admin.query(`CREATE USER ${accountName(user, host)} IDENTIFIED BY '${password}'`);
      created = true;
      // the test's own database, made next with a random suffix: test_<prefix>_<hex>
      await admin.query(
        `GRANT SELECT, INSERT, UPDATE, DELETE ON \`test\\_${prefix.replace(/_/g, '\\_')}\\_%\`.* TO ${accountName(user, host)}`,
      );
    }
    h = await startProducerTestEnv(prefix, {
      config: {
        DB_USER: user,
        DB_PASSWORD: password,
        DELETED_DEAD_LETTER_RETENTION_MS: 60_000,
        HOUSEKEEPING_INTERVAL_MS: 86_400_000,
      },
    });
  });
  after(async () => {
    await h?.cleanup();
    // (skipped when the test account may not create users: then there is none to drop)
    if (created) {
      for (const host of hosts)
        await admin?.query(`DROP USER IF EXISTS ${accountName(user, host)}`);
    }
    await admin?.end();
  });

  it('archives and quarantines, deletes, restores, replays and purges, with its audit trail', async () => {
    const env = h!;
    await park(env.queues.dlq, [...poisonMessages(6), unarchivable('privilege-poison')]);
    await env.archived(6);
    await waitFor('the quarantined record', async () => {
      const res = await env.get('/api/dead-letters/quarantine');
      return res.status === 200 && res.body.length === 1 ? true : undefined;
    });

    const listed = await env.get('/api/dead-letters');
    expect(listed.status).to.equal(200);
    const ids = (listed.body as { id: number }[]).map((r) => r.id);
    expect(ids).to.have.length(6);
    expect((await env.post('/api/dead-letters/delete', { ids: ids.slice(0, 3) })).status).to.equal(
      200,
    );
    expect((await env.post('/api/dead-letters/restore', { ids: [ids[0]] })).body.restored).to.equal(
      1,
    );

    const replay = await env.post('/api/dead-letters/replays', { ids: ids.slice(3), rate: 100 });
    expect(replay.status, JSON.stringify(replay.body)).to.equal(202);
    await waitFor('the replay to finish', async () => {
      const job = await env.get(`/api/dead-letters/replays/${replay.body.jobId}`);
      return job.body.status === 'completed' ? job.body : undefined;
    });
    expect(await env.probe.messageCount(env.queues.main)).to.equal(3);

    await env.db.query(
      'UPDATE dead_letters SET deleted_at = NOW(3) - INTERVAL 2 MINUTE WHERE id IN (?)',
      [ids.slice(1, 3)],
    );
    expect((await env.producer.purge.runOnce())?.purged).to.equal(2);

    const audit = await env.get('/api/dead-letters/audit');
    expect((audit.body as { action: string }[]).map((e) => e.action)).to.include.members([
      'delete',
      'restore',
    ]);
  });

  it('is refused every schema change', async () => {
    const service = await mysql.createConnection({ ...h!.database, user, password });
    try {
      for (const sql of [
        'CREATE TABLE intruder (a INT)',
        'ALTER TABLE dead_letters ADD COLUMN intruder INT',
        'DROP TABLE dead_letter_audit',
      ]) {
        const error = await service.query(sql).then(
          () => undefined,
          (e: { code?: string }) => e,
        );
        expect(error?.code, sql).to.match(/DENIED/);
      }
    } finally {
      await service.end();
    }
  });
});
