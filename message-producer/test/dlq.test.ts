import { expect } from 'chai';
import type { GetMessage } from 'amqplib';
import { waitFor } from '@retro/common/testing';
import { type Harness, startHarness } from './helpers.js';

describe('message producer: parked messages', () => {
  let h: Harness;

  before(async () => {
    h = await startHarness('producer_dlq');
  });
  after(async () => h.close());
  afterEach(async () => {
    await h.probe.drain(h.queues.main);
    await h.probe.drain(h.queues.dlq);
  });

  /** Parks messages the way the consumer does: original body, error headers. */
  async function park() {
    const failedAt = '2024-05-01T10:00:00.000Z';
    await h.probe.publish(
      h.queues.dlq,
      JSON.stringify({ eventId: 'p-1', gameId: 1, action: 'explode' }),
      {
        persistent: true,
        contentType: 'application/json',
        messageId: 'p-1',
        headers: {
          'x-error': 'unknown action "explode"',
          'x-failed-at': failedAt,
          'x-retry-count': 0,
        },
      },
    );
    await h.probe.publish(h.queues.dlq, '{"gameId": 2, "action": ', {
      persistent: true,
      contentType: 'application/json',
      messageId: 'p-2',
      headers: { 'x-error': 'body is not valid JSON', 'x-failed-at': failedAt },
    });
    await h.probe.publish(h.queues.dlq, JSON.stringify({ type: 'custom', message: 'tired' }), {
      persistent: true,
      contentType: 'application/json',
      messageId: 'p-3',
      headers: {
        'x-error': 'gave up after 3 retries',
        'x-failed-at': failedAt,
        'x-retry-count': 3,
        'x-deferrals': 2,
        'x-trace': 't-3',
      },
    });
  }

  /** The probe publishes without confirms: wait until the broker shows them. */
  const parkedCount = (n: number) =>
    waitFor(`${n} parked messages`, async () => (await h.probe.messageCount(h.queues.dlq)) === n);

  const ids = (messages: GetMessage[]) => messages.map((m) => m.properties.messageId);

  it('when the DLQ is listed, then each parked message shows its id, reason, time, retries, body and headers, and all stay parked in order', async () => {
    await park();
    await parkedCount(3);

    const { status, body } = await h.get('/api/dlq');
    const again = await h.get('/api/dlq?limit=2');

    expect(status).to.equal(200);
    expect(body.total).to.equal(3);
    expect(body.messages.map((m: { messageId: string }) => m.messageId)).to.deep.equal([
      'p-1',
      'p-2',
      'p-3',
    ]);
    const [first, poison, tired] = body.messages;
    expect(first).to.include({
      error: 'unknown action "explode"',
      failedAt: '2024-05-01T10:00:00.000Z',
      bodyIsJson: true,
    });
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
    expect(ids(await h.probe.drain(h.queues.dlq))).to.deep.equal(['p-1', 'p-2', 'p-3']);
  });

  it('when one parked message is replayed, then it moves to the main queue with its body and id but without the failure and deferral headers, and the others stay parked', async () => {
    await park();
    await parkedCount(3);

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
    expect(ids(await h.probe.drain(h.queues.dlq))).to.deep.equal(['p-1', 'p-2']);
  });

  it('when a message id that is not parked is replayed, then it answers 404 and nothing moves', async () => {
    await park();
    await parkedCount(3);

    const res = await h.post('/api/dlq/replay', { messageId: 'nope' });

    expect(res.status).to.equal(404);
    expect(await h.probe.messageCount(h.queues.main)).to.equal(0);
    expect(ids(await h.probe.drain(h.queues.dlq))).to.deep.equal(['p-1', 'p-2', 'p-3']);
  });

  it('when all parked messages are replayed, then every one arrives in the main queue, byte for byte, and the DLQ is empty', async () => {
    await park();
    await parkedCount(3);
    for (let i = 0; i < 250; i++) {
      await h.probe.publish(h.queues.dlq, JSON.stringify({ n: i }), {
        messageId: `bulk-${i}`,
        headers: { 'x-error': 'e' },
      });
    }
    await parkedCount(253);

    const res = await h.post('/api/dlq/replay', { all: true });

    expect(res.status).to.equal(200);
    expect(res.body.replayed).to.equal(253);
    const moved = await h.probe.drain(h.queues.main);
    expect(ids(moved)).to.deep.equal(res.body.messageIds);
    expect(ids(moved).slice(0, 3)).to.deep.equal(['p-1', 'p-2', 'p-3']);
    expect(moved[1]!.content.toString()).to.equal('{"gameId": 2, "action": ');
    expect(moved.every((m) => !('x-error' in (m.properties.headers ?? {})))).to.equal(true);
    expect(await h.probe.messageCount(h.queues.dlq)).to.equal(0);
  });

  it('when the replay request names neither a message nor all, then it answers 400', async () => {
    const res = await h.post('/api/dlq/replay', { everything: 'please' });
    expect(res.status).to.equal(400);
  });
});
