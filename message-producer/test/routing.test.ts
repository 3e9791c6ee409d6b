import { type QueueNames, createLogger } from '@retro/common';
import { BrokerProbe, TEST_RABBITMQ_URL, testQueues, waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import { Broker } from '../src/data-access/broker.js';
import { DeadLetterDesk } from '../src/domain/dead-letter-desk.js';
import { ProducerMetrics } from '../src/metrics.js';
import { type Harness, startHarness } from './helpers.js';

/** Parks messages as the consumer does: original body and id, with the failure headers. */
async function park(probe: BrokerProbe, queues: QueueNames, ids: string[]) {
  for (const id of ids) {
    await probe.publish(queues.dlq, JSON.stringify({ type: 'custom', message: id }), {
      persistent: true,
      contentType: 'application/json',
      messageId: id,
      headers: { 'x-error': 'gave up', 'x-failed-at': '2024-05-01T10:00:00.000Z' },
    });
  }
  // the probe publishes without confirms: wait until the broker shows them
  await waitFor(`${ids.length} parked`, async () =>
    (await probe.messageCount(queues.dlq)) === ids.length ? true : undefined,
  );
}

const idsOf = (messages: { properties: { messageId?: string } }[]) =>
  messages.map((m) => m.properties.messageId);

/** An operator deletes `game_events` while the producer runs: publishes declare it again. */
describe('message producer: the main queue deleted under it', () => {
  let h: Harness;

  before(async () => {
    h = await startHarness('producer_routing');
  });
  after(async () => h.close());
  afterEach(async () => {
    await h.probe.drain(h.queues.main);
    await h.probe.drain(h.queues.dlq);
  });

  it('when a custom message is published after the main queue was deleted, then it answers 201 and the message is in the declared-again queue', async () => {
    await h.probe.deleteQueue(h.queues.main);

    const res = await h.post('/api/messages/custom', { message: 'after the delete' });

    expect(res.status).to.equal(201);
    const [msg, ...rest] = await h.probe.drain(h.queues.main);
    expect(rest).to.have.length(0);
    expect(msg!.properties.messageId).to.equal(res.body.messageId);
  });

  it('when a parked message is replayed after the main queue was deleted, then it lands in the declared-again main queue and leaves the DLQ exactly once', async () => {
    await park(h.probe, h.queues, ['r-1', 'r-2']);
    await h.probe.deleteQueue(h.queues.main);

    const res = await h.post('/api/dlq/replay', { messageId: 'r-2' });

    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ replayed: 1, messageIds: ['r-2'] });
    expect(idsOf(await h.probe.drain(h.queues.main))).to.deep.equal(['r-2']);
    expect(idsOf(await h.probe.drain(h.queues.dlq))).to.deep.equal(['r-1']);
  });

  it('when everything parked is replayed after the main queue was deleted, then every message lands once in the declared-again main queue, in order, and the DLQ is empty', async () => {
    const ids = Array.from({ length: 150 }, (_, i) => `all-${i}`); // more than one batch
    await park(h.probe, h.queues, ids);
    await h.probe.deleteQueue(h.queues.main);

    const res = await h.post('/api/dlq/replay', { all: true });

    expect(res.status).to.equal(200);
    expect(res.body.messageIds).to.deep.equal(ids);
    expect(idsOf(await h.probe.drain(h.queues.main))).to.deep.equal(ids);
    expect(await h.probe.messageCount(h.queues.dlq)).to.equal(0);
  });

  it('when a bulk job starts after the main queue was deleted, then every message is confirmed and in the declared-again queue', async () => {
    await h.probe.deleteQueue(h.queues.main);

    const started = await h.post('/api/messages/bulk', {
      kind: 'custom',
      count: 300,
      payload: { message: 'bulk after the delete' },
    });
    const job = await waitFor('the bulk job to finish', async () => {
      const { body } = await h.get(`/api/messages/bulk/${started.body.jobId}`);
      return body.status === 'running' ? undefined : body;
    });

    expect(job).to.include({ status: 'completed', confirmed: 300, failed: 0 });
    expect(await h.probe.messageCount(h.queues.main)).to.equal(300);
  });
});

/**
 * The main queue cannot be brought back (here: declaring it is a no-op): replays must leave every
 * message parked and say so, never ack a message whose copy the broker returned.
 */
describe('message producer: replay when the main queue cannot be declared again', () => {
  const logger = createLogger('message-producer', 'error');
  logger.silent = !process.env.TEST_LOGS;
  let queues: QueueNames;
  let broker: Broker;
  let desk: DeadLetterDesk;
  let probe: BrokerProbe;

  before(async () => {
    queues = testQueues('producer_unroutable');
    probe = await BrokerProbe.open();
    broker = new Broker({ url: TEST_RABBITMQ_URL, queues, logger, publishTimeoutMs: 5_000 });
    desk = new DeadLetterDesk(broker, new ProducerMetrics(), { declareQueues: async () => 0 });
    await waitFor('the broker connection', () => broker.isConnected());
    // a publish waits for the channel's setup, which declares the queues; then the main one goes
    await broker.publish(queues.main, {
      messageId: 'warm-up',
      content: Buffer.from('{}'),
      headers: {},
    });
    await probe.deleteQueue(queues.main);
  });
  after(async () => {
    await broker.close();
    await probe.deleteQueues(queues).catch(() => undefined);
    await probe.close();
  });
  afterEach(async () => probe.drain(queues.dlq));

  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.fail('the replay should have failed'),
      (error: { status: number; message: string }) => error,
    );

  it('when one message is replayed, then it answers 503 saying none was replayed, and the message stays parked in its place', async () => {
    await park(probe, queues, ['u-1', 'u-2', 'u-3']);

    const error = await failure(desk.replay({ messageId: 'u-2' }));

    expect(error.status).to.equal(503);
    expect(error.message).to.match(/^Replayed 0 parked messages; .* could not route 1 message to/);
    expect(idsOf(await probe.drain(queues.dlq))).to.deep.equal(['u-1', 'u-2', 'u-3']);
  });

  it('when everything is replayed, then it answers 503 saying none was replayed, and every message stays parked in order', async () => {
    await park(probe, queues, ['v-1', 'v-2', 'v-3']);

    const error = await failure(desk.replay({ all: true }));

    expect(error.status).to.equal(503);
    expect(error.message).to.match(/^Replayed 0 parked messages; .* 3 messages to .* stay parked/);
    expect(idsOf(await probe.drain(queues.dlq))).to.deep.equal(['v-1', 'v-2', 'v-3']);
    const mainGone = await probe.messageCount(queues.main).then(
      () => false,
      () => true,
    );
    expect(mainGone).to.equal(true);
  });
});
