import { once } from 'node:events';
import { expect } from 'chai';
import { TcpProxy, waitFor } from '@retro/common/testing';
import type { RowDataPacket } from 'mysql2/promise';
import { createLogger } from '@retro/common';
import { type QuarantineOutcome, storeBatch } from '../src/domain/archive-batch.js';
import { toArchiveRecord } from '../src/domain/archived-message.js';
import { type ProducerTestEnv, startProducerTestEnv } from './helpers.js';
import {
  type ParkSpec,
  nested,
  park,
  poisonMessages,
  unarchivable as unstorable,
} from './parking.js';

/** The archive record of a spec, as the archiver makes it from the delivery. */
function recordOf(spec: ParkSpec) {
  const headers = { ...spec.headers, 'x-error': spec.reason, 'x-failed-at': spec.failedAt };
  const content = Buffer.from(spec.body);
  return toArchiveRecord(content, { messageId: spec.messageId, headers } as never);
}

function silentLogger() {
  const logger = createLogger('quarantine-test', 'error');
  logger.silent = true;
  return logger;
}

describe('message producer: the archiver and a record it cannot store', function () {
  this.timeout(120_000);
  let h: ProducerTestEnv;
  // the producer reaches MariaDB through a proxy, so one test can take the database away
  let proxy: TcpProxy;

  before(async () => {
    proxy = new TcpProxy('127.0.0.1', Number(process.env.DB_PORT || 3306));
    await proxy.start();
    h = await startProducerTestEnv('producer_quarantine', {
      config: { DB_HOST: '127.0.0.1', DB_PORT: proxy.port },
    });
  });
  after(async () => {
    await h?.cleanup();
    await proxy?.stop();
  });

  const quarantined = () =>
    once(h.producer.archiver, 'quarantined') as Promise<[QuarantineOutcome]>;
  const count = async (table: string) => {
    const [[row]] = await h.db.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table}`);
    return Number(row?.n);
  };

  it('when one record that cannot be archived is parked among 100 good ones, then the 100 are archived within seconds and it is quarantined with its reason', async () => {
    const good = poisonMessages(100);
    const seen = quarantined();
    const started = Date.now();
    // one publish, so that the bad record shares a batch with the good ones
    await park(h.queues.dlq, [...good.slice(0, 50), unstorable('bad-1'), ...good.slice(50)]);

    const [outcome] = await seen;
    await h.archived(100, 10_000);
    const seconds = (Date.now() - started) / 1000;

    expect(seconds).to.be.below(10);
    expect(outcome.stored).to.equal(true);
    expect(outcome.reason.code).to.be.oneOf(['ER_CONSTRAINT_FAILED', 'ER_JSON_DOCUMENT_TOO_DEEP']);
    const { status, body, headers } = await h.request('GET', '/api/dead-letters/quarantine');
    expect(status).to.equal(200);
    expect(headers.get('x-total-count')).to.equal('1');
    expect(body).to.have.length(1);
    const [item] = body;
    expect(item).to.include({
      messageId: 'bad-1',
      errorCode: outcome.reason.code,
      body: '{"type":"custom","message":"cannot be archived"}',
      bodyEncoding: 'utf8',
      bodyTruncated: false,
    });
    expect(item.reason).to.equal(`${outcome.reason.code}: ${outcome.reason.message}`);
    expect(item.reason).to.match(/headers|too deep/);
    expect(Date.parse(item.quarantinedAt)).to.be.closeTo(Date.now(), 60_000);
    expect(item.headers).to.deep.include({
      'x-trace': 'trace-bad-1',
      'x-error': 'simulated permanent failure',
      'x-nested': nested(120),
    });
    expect(item.properties).to.include({ messageId: 'bad-1' });
    const ids = new Set(good.map((g) => g.messageId));
    const [rows] = await h.db.query<RowDataPacket[]>('SELECT message_id FROM dead_letters');
    expect(rows.every((r) => ids.has(r.message_id))).to.equal(true);
    expect(await h.probe.messageCount(h.queues.dlq)).to.equal(0);
    const metrics = await h.metrics();
    expect(metrics).to.match(/^producer_dead_letters_quarantined_total 1$/m);
    console.log(`      100 archived and 1 quarantined in ${seconds.toFixed(2)} s`);
  });

  it('when messages are parked after it, then they are archived as before', async () => {
    await park(h.queues.dlq, poisonMessages(3, new Date('2024-06-01T00:00:00Z')));

    await h.archived(103);
    expect(await count('dead_letter_quarantine')).to.equal(1);
  });

  it('when the quarantined record is delivered again (a crash before its ack), then it is kept once', async () => {
    const seen = quarantined();
    await park(h.queues.dlq, [unstorable('bad-1')]);

    const [outcome] = await seen;
    expect(outcome.stored).to.equal(false);
    await waitFor('the DLQ empty', async () => (await h.probe.messageCount(h.queues.dlq)) === 0);
    expect(await count('dead_letter_quarantine')).to.equal(1);
    const metrics = await h.metrics();
    expect(metrics).to.match(/^producer_dead_letters_quarantined_total 1$/m);
  });

  it('when a parked message carries x-retry-count 1e11 (published straight to the DLQ), then it is archived with the count bounded and the header kept as it came', async () => {
    await park(h.queues.dlq, [
      { messageId: 'huge-count', body: '{"type":"custom","message":"m"}', retryCount: 1e11 },
    ]);

    await h.archived(104);
    const [row] = (await h.get('/api/dead-letters?messageId=huge-count')).body;
    expect(row.retryCount).to.equal(1_000_000);
    const { body: full } = await h.get(`/api/dead-letters/${row.id}`);
    expect(full.headers['x-retry-count']).to.equal(1e11);
  });

  it('when the quarantine is paged, then it answers newest first with X-Total-Count, and a wrong query is refused', async () => {
    await park(h.queues.dlq, [unstorable('bad-2'), unstorable('bad-3')]);
    await waitFor('three quarantined', async () => (await count('dead_letter_quarantine')) === 3);

    const first = await h.request('GET', '/api/dead-letters/quarantine?limit=2');
    expect(first.headers.get('x-total-count')).to.equal('3');
    expect(first.body.map((q: { messageId: string }) => q.messageId)).to.deep.equal([
      'bad-3',
      'bad-2',
    ]);
    const next = await h.get(`/api/dead-letters/quarantine?limit=2&before=${first.body[1].id}`);
    expect(next.body.map((q: { messageId: string }) => q.messageId)).to.deep.equal(['bad-1']);
    for (const query of ['limit=0', 'limit=201', 'before=x', 'sort=id']) {
      const res = await h.get(`/api/dead-letters/quarantine?${query}`);
      expect(res.status, query).to.equal(400);
      expect(res.body.error.code, query).to.equal('VALIDATION_FAILED');
    }
  });

  it('when a batch with one bad record among 20 is stored, then it is split in halves: the 20 archived in a few transactions, the one quarantined', async () => {
    const records = [
      ...poisonMessages(10, new Date('2024-07-01T00:00:00Z')),
      unstorable('bad-in-batch'),
      ...poisonMessages(10, new Date('2024-07-02T00:00:00Z')),
    ].map((spec) => ({ record: recordOf(spec) }));
    const parts: number[] = [];
    const refused: string[] = [];

    await storeBatch(
      h.db,
      records,
      {
        archived: (part) => parts.push(part.length),
        quarantined: (item) => refused.push(item.record.messageId!),
        stopped: () => false,
      },
      silentLogger(),
    );

    expect(refused).to.deep.equal(['bad-in-batch']);
    expect(parts.reduce((a, b) => a + b, 0)).to.equal(20);
    expect(parts.length).to.be.at.most(8);
    const [[row]] = await h.db.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM dead_letters WHERE parked_at BETWEEN '2024-07-01' AND '2024-07-03'",
    );
    expect(Number(row!.n)).to.equal(20);
  });

  it('when a parked message is bigger than one packet to the database, then it is quarantined with the start of its body and the others are archived', async function () {
    const [[server]] = await h.db.query<RowDataPacket[]>('SELECT @@max_allowed_packet AS n');
    const packet = Number(server!.n);
    if (packet > 64 * 1024 * 1024) this.skip(); // a message that big would strain the test broker
    const before = await count('dead_letters');
    const seen = quarantined();
    const big = JSON.stringify({ type: 'custom', message: 'x'.repeat(packet + 1024 * 1024) });
    await park(h.queues.dlq, [
      ...poisonMessages(2, new Date('2024-08-01T00:00:00Z')),
      { messageId: 'too-big', body: big, reason: 'too big' },
      ...poisonMessages(2, new Date('2024-08-02T00:00:00Z')),
    ]);

    const [outcome] = await seen;
    expect(outcome.reason.code).to.equal('ER_NET_PACKET_TOO_LARGE');
    await h.archived(before + 4);
    const { body } = await h.get('/api/dead-letters/quarantine?limit=1');
    expect(body[0]).to.include({ messageId: 'too-big', bodyTruncated: true });
    expect(body[0].bodyBytes).to.equal(Buffer.byteLength(big));
    expect(body[0].body).to.equal(big.slice(0, 8 * 1024 * 1024));
  });

  it('when the database is unreachable, then batches are held and retried (nothing is quarantined), and stored once it is back', async () => {
    const before = await count('dead_letters');
    const quarantinedBefore = await count('dead_letter_quarantine');
    proxy.disconnect();
    try {
      const failed = once(h.producer.archiver, 'failed');
      await park(h.queues.dlq, [...poisonMessages(5), unstorable('bad-during-outage')]);
      const [error] = (await failed) as [{ code?: string }];
      expect(error.code).to.not.match(/^ER_/);
    } finally {
      proxy.restore();
    }

    await waitFor('the record quarantined after the outage', async () => {
      return (await count('dead_letter_quarantine')) === quarantinedBefore + 1;
    });
    await h.archived(before + 5);
  });
});
