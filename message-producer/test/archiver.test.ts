import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { createLogger } from '@retro/common';
import {
  BrokerProbe,
  TEST_TOKEN,
  createTestAccounts,
  testQueues,
  waitFor,
} from '@retro/common/testing';
import { createPool, dropDatabase, migrate } from '@retro/database';
import { testDbAccount } from '@retro/database/testing';
import type { RowDataPacket } from 'mysql2/promise';
import { startProducer } from '../src/index.js';
import { type ProducerTestEnv, startProducerTestEnv } from './helpers.js';
import { SHAPES, park, poisonMessages } from './parking.js';

describe('message producer: the DLQ archiver', function () {
  this.timeout(120_000);
  let h: ProducerTestEnv;

  before(async () => {
    h = await startProducerTestEnv('producer_archiver');
  });
  after(async () => h?.cleanup());

  const count = async (sql: string, params: unknown[] = []) => {
    const [[row]] = await h.db.query<RowDataPacket[]>(sql, params);
    return Number(row?.n);
  };

  it('when 1,000 poison messages of three kinds are parked, then all are archived in three groups with exact counts and the DLQ is empty', async () => {
    const specs = poisonMessages(1000);
    const started = Date.now();
    await park(h.queues.dlq, specs);

    await h.archived(1000);
    const seconds = (Date.now() - started) / 1000;

    const { status, body: groups, headers } = await h.request('GET', '/api/dead-letters/groups');
    expect(status).to.equal(200);
    expect(headers.get('x-total-count')).to.equal('3');
    const byFingerprint = Object.fromEntries(
      groups.map((g: { fingerprint: string; count: number }) => [g.fingerprint, g.count]),
    );
    const expected = (shape: keyof typeof SHAPES) => specs.filter((s) => s.shape === shape).length;
    expect(byFingerprint).to.deep.equal({
      [SHAPES.exhausted]: expected('exhausted'),
      [SHAPES.refused]: expected('refused'),
      [SHAPES.mismatch]: expected('mismatch'),
    });
    const refused = groups.find((g: { fingerprint: string }) => g.fingerprint === SHAPES.refused);
    expect(refused.counts).to.deep.equal({ game: expected('refused'), custom: 0, other: 0 });
    expect(refused.firstParkedAt).to.equal(specs[1]!.failedAt);
    expect(refused.lastParkedAt).to.equal(
      specs.filter((s) => s.shape === 'refused').at(-1)!.failedAt,
    );
    // the maintained counts agree with the rows
    expect(await count('SELECT COUNT(DISTINCT archive_key) AS n FROM dead_letters')).to.equal(1000);
    expect(await count('SELECT SUM(message_count) AS n FROM dead_letter_groups')).to.equal(1000);
    expect(await h.probe.messageCount(h.queues.dlq)).to.equal(0);
    console.log(
      `      1,000 parked messages archived in ${seconds.toFixed(2)} s; groups ${JSON.stringify(Object.values(byFingerprint))}`,
    );
  });

  it('when /metrics is read, then it shows the archive size, the biggest groups and what was archived by type', async () => {
    const text = await h.metrics();
    const { body: groups } = await h.get('/api/dead-letters/groups');

    expect(text).to.match(/^producer_dead_letters_archived 1000$/m);
    for (const g of groups as { groupId: string; count: number }[]) {
      expect(text).to.include(`producer_dead_letters_by_group{group="${g.groupId}"} ${g.count}`);
    }
    expect(text).to.include('producer_dead_letters_by_group{group="other"} 0');
    expect(text).to.match(/^producer_dead_letters_archived_total\{type="custom"\} 667$/m);
    expect(text).to.match(/^producer_dead_letters_archived_total\{type="game"\} 333$/m);
    expect(text).to.match(/^producer_replay_jobs_running 0$/m);
  });

  it('when the same parking arrives twice, then it is stored once; when the message is parked again later, then that is a second row', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM dead_letters');
    const spec = {
      messageId: 'twice-1',
      body: '{"type":"custom","message":"again"}',
      reason: 'simulated permanent failure',
      failedAt: '2024-06-01T00:00:00.000Z',
    };
    await park(h.queues.dlq, [spec, spec]);
    await h.archived(before + 1);
    await park(h.queues.dlq, [{ ...spec, failedAt: '2024-06-02T00:00:00.000Z' }]);
    await h.archived(before + 2);

    const { body } = await h.get('/api/dead-letters?messageId=twice-1');
    expect(body.map((d: { parkedAt: string }) => d.parkedAt)).to.deep.equal([
      '2024-06-02T00:00:00.000Z',
      '2024-06-01T00:00:00.000Z',
    ]);
  });

  it('when many large messages are parked at once, then batches stay under the packet limit and all are archived', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM dead_letters');
    const big = (i: number) =>
      JSON.stringify({ type: 'custom', message: `${i}`.padEnd(250_000, 'x') });
    // 20 MB in all: one INSERT with all of them would exceed MariaDB's 16 MiB max_allowed_packet
    await park(
      h.queues.dlq,
      Array.from({ length: 80 }, (_, i) => ({ body: big(i), reason: 'too big to process' })),
    );

    await h.archived(before + 80);
    const [[row]] = await h.db.query<RowDataPacket[]>(
      'SELECT MIN(body_bytes) AS least FROM dead_letters WHERE reason = ?',
      ['too big to process'],
    );
    expect(Number(row!.least)).to.be.above(250_000);
  });

  it('when the DLQ is deleted under it, then it is declared again and messages parked after are archived', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM dead_letters');
    await h.probe.deleteQueue(h.queues.dlq);

    await waitFor(
      'the DLQ declared again',
      async () => (await h.probe.consumerCount(h.queues.dlq).catch(() => 0)) === 1,
    );
    await park(h.queues.dlq, poisonMessages(3));
    await h.archived(before + 3);
  });

  it('when a body is not UTF-8, then it is kept byte for byte', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM dead_letters');
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]);
    await park(h.queues.dlq, [
      { messageId: 'binary-1', body: bytes, reason: 'body is not valid JSON' },
    ]);
    await h.archived(before + 1);

    const [list] = (await h.get('/api/dead-letters?messageId=binary-1')).body;
    const { body } = await h.get(`/api/dead-letters/${list.id}`);
    expect(body).to.include({ bodyEncoding: 'base64', bodyBytes: 5, type: 'other' });
    expect(Buffer.from(body.body, 'base64').equals(bytes)).to.equal(true);
  });
});

describe('message producer: started before the archive tables exist', function () {
  this.timeout(60_000);

  it('when the tables are missing, then parked messages wait in the DLQ and a signed-in call answers 503; once migrated, they are archived', async () => {
    // the tests' own account (`npm run setup` makes one that may create test_* databases)
    const settings = {
      ...testDbAccount(),
      database: `test_producer_nomig_${randomBytes(4).toString('hex')}`,
    };
    const admin = createPool({ ...settings, database: 'information_schema' }, 1);
    await admin.query(`CREATE DATABASE ${settings.database}`);
    await admin.end();
    const queues = testQueues('producer_nomig');
    const logger = createLogger('message-producer', 'error');
    logger.silent = true;
    const producer = await startProducer({
      queues,
      logger,
      rateLimit: false,
      archiver: { schemaPollMs: 100 },
      config: { PRODUCER_PORT: 0, DB_NAME: settings.database, INTERNAL_API_TOKEN: TEST_TOKEN },
    });
    const probe = await BrokerProbe.open();
    try {
      // the archiver declares the DLQ only once it can store what it takes from it
      await probe.declareTopology(queues);
      await waitFor(
        'the producer to be ready',
        async () => (await fetch(`${producer.url}/ready`)).ok,
      );
      await park(queues.dlq, poisonMessages(5));

      const health = await (await fetch(`${producer.url}/health`)).json();
      // no accounts table either: whoever the token belongs to cannot be told yet
      const list = await fetch(`${producer.url}/api/dead-letters`, {
        headers: { authorization: 'Bearer some-personal-token' },
      });
      expect(health).to.include({ archiver: 'waiting' });
      expect(list.status).to.equal(503);
      expect(((await list.json()) as { error: { message: string } }).error.message).to.contain(
        'not set up yet',
      );
      expect(await probe.messageCount(queues.dlq)).to.equal(5);

      await migrate(settings);
      const pool = createPool(settings, 1);
      const { tester } = await createTestAccounts(pool).finally(() => pool.end());

      await waitFor('the five to be archived', async () => {
        const res = await fetch(`${producer.url}/api/dead-letters`, {
          headers: { authorization: `Bearer ${tester.token}` },
        });
        return res.ok && res.headers.get('x-total-count') === '5';
      });
      expect(await probe.messageCount(queues.dlq)).to.equal(0);
    } finally {
      await producer.stop();
      await probe.deleteQueues(queues).catch(() => undefined);
      await probe.close();
      await dropDatabase(settings);
    }
  });
});
