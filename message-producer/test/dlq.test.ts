import { expect } from 'chai';
import type { GetMessage } from 'amqplib';
import { type ProducerTestEnv, clearArchive, startProducerTestEnv } from './helpers.js';
import { park } from './parking.js';

/** `GET /api/dlq` and `POST /api/dlq/replay`, the first DLQ API, now answered from the archive. */
describe('message producer: parked messages (the first DLQ API)', () => {
  let h: ProducerTestEnv;

  before(async () => {
    h = await startProducerTestEnv('producer_dlq');
  });
  after(async () => h.cleanup());
  afterEach(async () => {
    await h.probe.drain(h.queues.main);
    await clearArchive(h.db);
  });

  const failedAt = '2024-05-01T10:00:00.000Z';

  /** Parks messages the way the consumer does (original body, error headers) and waits for the archive. */
  async function parkThree() {
    await park(h.queues.dlq, [
      {
        messageId: 'p-1',
        body: JSON.stringify({ eventId: 'p-1', gameId: 1, action: 'explode' }),
        reason: 'unknown action "explode"',
        failedAt,
        retryCount: 0,
      },
      {
        messageId: 'p-2',
        body: '{"gameId": 2, "action": ',
        reason: 'body is not valid JSON',
        failedAt,
      },
      {
        messageId: 'p-3',
        body: JSON.stringify({ type: 'custom', message: 'tired' }),
        reason: 'gave up after 3 retries',
        failedAt,
        retryCount: 3,
        headers: { 'x-deferrals': 2, 'x-trace': 't-3' },
      },
    ]);
    await h.archived(3);
  }

  const ids = (messages: GetMessage[]) => messages.map((m) => m.properties.messageId);

  it('when the DLQ is listed, then each archived message not yet replayed shows its id, reason, time, retries, body and headers, oldest first', async () => {
    await parkThree();

    const { status, body } = await h.get('/api/dlq');
    const again = await h.get('/api/dlq?limit=2');

    expect(status).to.equal(200);
    expect(body).to.include({ queue: h.queues.dlq, total: 3 });
    expect(body.messages.map((m: { messageId: string }) => m.messageId)).to.deep.equal([
      'p-1',
      'p-2',
      'p-3',
    ]);
    const [first, poison, tired] = body.messages;
    expect(first).to.include({ error: 'unknown action "explode"', failedAt, bodyIsJson: true });
    expect(first.body).to.deep.equal({ eventId: 'p-1', gameId: 1, action: 'explode' });
    expect(poison).to.include({
      bodyIsJson: false,
      body: null,
      bodyText: '{"gameId": 2, "action": ',
      retryCount: 0,
    });
    expect(tired).to.include({ retryCount: 3 });
    expect(tired.headers).to.include({ 'x-trace': 't-3', 'x-error': 'gave up after 3 retries' });
    expect(again.body.messages).to.have.length(2);
    expect(again.body.total).to.equal(3);
  });

  it('when one parked message is replayed, then it moves to the main queue with its body and id but without the failure and deferral headers, and leaves the list', async () => {
    await parkThree();

    const res = await h.post('/api/dlq/replay', { messageId: 'p-3' });

    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ replayed: 1, messageIds: ['p-3'] });
    const [replayed, ...rest] = await h.probe.drain(h.queues.main);
    expect(rest).to.have.length(0);
    expect(replayed!.properties.messageId).to.equal('p-3');
    expect(replayed!.properties.deliveryMode).to.equal(2);
    expect(JSON.parse(replayed!.content.toString())).to.deep.equal({
      type: 'custom',
      message: 'tired',
    });
    expect(replayed!.properties.headers).to.have.all.keys('x-trace', 'x-replayed-at');
    expect(replayed!.properties.headers!['x-trace']).to.equal('t-3');
    const { body } = await h.get('/api/dlq');
    expect(body.messages.map((m: { messageId: string }) => m.messageId)).to.deep.equal([
      'p-1',
      'p-2',
    ]);
  });

  it('when a message id that is not parked is replayed, then it answers 404 and nothing moves', async () => {
    await parkThree();

    const res = await h.post('/api/dlq/replay', { messageId: 'nope' });

    expect(res.status).to.equal(404);
    expect(await h.probe.messageCount(h.queues.main)).to.equal(0);
    expect((await h.get('/api/dlq')).body.total).to.equal(3);
  });

  it('when all parked messages are replayed, then every one arrives in the main queue once, byte for byte, and none is left to replay', async () => {
    await parkThree();
    await park(
      h.queues.dlq,
      Array.from({ length: 250 }, (_, i) => ({
        messageId: `bulk-${i}`,
        body: JSON.stringify({ n: i }),
        reason: 'e',
        failedAt: new Date(Date.parse(failedAt) + 1000 + i).toISOString(),
      })),
    );
    await h.archived(253);

    const res = await h.post('/api/dlq/replay', { all: true });

    expect(res.status).to.equal(200);
    expect(res.body.replayed).to.equal(253);
    const moved = await h.probe.drain(h.queues.main);
    // each copy once (publishes are confirmed in batches, so arrival order is not promised)
    expect([...ids(moved)].sort()).to.deep.equal([...res.body.messageIds].sort());
    expect(new Set(ids(moved)).size).to.equal(253);
    expect(res.body.messageIds.slice(0, 3)).to.deep.equal(['p-1', 'p-2', 'p-3']);
    const p2 = moved.find((m) => m.properties.messageId === 'p-2');
    expect(p2!.content.toString()).to.equal('{"gameId": 2, "action": ');
    expect(moved.every((m) => !('x-error' in (m.properties.headers ?? {})))).to.equal(true);
    expect((await h.get('/api/dlq')).body.total).to.equal(0);
  });

  it('when the replay request names neither a message nor all, then it answers 400', async () => {
    const res = await h.post('/api/dlq/replay', { everything: 'please' });
    expect(res.status).to.equal(400);
  });
});
