import { TcpProxy, waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import { ConsumerTestEnv, type TestConsumer } from './helpers.js';

describe('message consumer: broker connection lost mid-stream', () => {
  let env: ConsumerTestEnv;
  let link: TcpProxy;
  let consumer: TestConsumer;

  before(async () => {
    env = await ConsumerTestEnv.start('consumer_broker');
    link = new TcpProxy('127.0.0.1', 5672);
    await link.start();
    consumer = await env.startConsumer({
      RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${link.port}`,
      PROCESSING_DELAY_MS: 100,
      PREFETCH: 5,
    });
  });
  after(async () => {
    await env?.cleanup();
    await link?.stop();
  });

  it('when the connection is cut while messages are in flight, then it reports unhealthy, reconnects, and every message completes', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 40; i += 1) ids.push(await env.publishCustom({ message: `m${i}` }));
    await waitFor('some messages to complete', () =>
      consumer.settlements.filter((s) => s.outcome === 'completed').length >= 5 ? true : undefined,
    );

    link.disconnect();
    await waitFor('health to report the outage', async () => {
      const res = await fetch(`http://127.0.0.1:${consumer.port}/health`);
      return res.status === 503 ? await res.json() : undefined;
    });
    expect(consumer.isConsuming()).to.equal(false);
    link.restore();

    await waitFor('the consumer to resubscribe', () => consumer.isConsuming());
    for (const id of ids) await env.waitForTask(id, 'completed', 30_000);
    await waitFor(
      'the queues to be empty',
      async () =>
        (await env.probe.messageCount(env.queues.main)) === 0 && (await env.retryDepth()) === 0,
    );
    expect(await env.probe.messageCount(env.queues.dlq)).to.equal(0);
    expect((await fetch(`http://127.0.0.1:${consumer.port}/health`)).status).to.equal(200);
  });

  it('when the connection drops twice in a row, then it still resumes and new messages complete', async () => {
    link.disconnect();
    await waitFor('the consumer to notice', () => !consumer.isConsuming());
    link.restore();
    await waitFor('the consumer to resubscribe', () => consumer.isConsuming());
    link.disconnect();
    const id = await env.publishCustom();
    link.restore();
    await env.waitForTask(id, 'completed', 30_000);
  });

  it('when the queue is deleted under it, then it declares the queues again, resubscribes and keeps completing', async () => {
    await env.probe.deleteQueues(env.queues);
    await waitFor('the broker to cancel the subscription', () => !consumer.isConsuming());
    await waitFor('the consumer to resubscribe', () => consumer.isConsuming());
    const id = await env.publishCustom();
    await env.waitForTask(id, 'completed', 30_000);
  });
});
