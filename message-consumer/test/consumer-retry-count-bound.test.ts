import { randomUUID } from 'node:crypto';
import { HEADERS } from '@retro/common';
import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import { ConsumerTestEnv, settledAs, type TestConsumer } from './helpers.js';

/** A custom message that would succeed, published straight to the queue with these headers. */
async function publishWith(env: ConsumerTestEnv, headers: Record<string, unknown>, body?: string) {
  const messageId = `bound-${randomUUID()}`;
  const content = body ?? JSON.stringify({ type: 'custom', message: 'hello' });
  await env.probe.publish(env.queues.main, content, {
    messageId,
    persistent: true,
    contentType: 'application/json',
    headers,
  });
  return messageId;
}

describe('message consumer: x-retry-count out of range', () => {
  let env: ConsumerTestEnv;
  let consumer: TestConsumer;

  before(async () => {
    env = await ConsumerTestEnv.start('consumer_retry_bound');
    consumer = await env.startConsumer();
  });
  after(() => env?.cleanup());

  const parkedCopy = (messageId: string) =>
    waitFor(`the parked copy of ${messageId}`, async () => {
      const msgs = await env.probe.drain(env.queues.dlq);
      return msgs.find((m) => m.properties.messageId === messageId);
    });

  for (const huge of [100_000_000_000, '100000000000']) {
    it(`when a delivery carries x-retry-count ${JSON.stringify(huge)}, then it is parked at once, its count bounded, and the next message still completes`, async () => {
      const messageId = await publishWith(env, { [HEADERS.retryCount]: huge, 'x-trace': 'kept' });
      const next = await env.publishCustom({ message: 'after it' });

      const settlements = await settledAs(consumer, messageId, 'parked');
      expect(settlements.map((s) => [s.outcome, s.retryCount])).to.deep.equal([
        ['parked', 1_000_000],
      ]);
      const task = await env.waitForTask(messageId, 'failed');
      expect(task.lastError).to.equal(
        'x-retry-count 100000000000 is above 1000000: retries treated as exhausted',
      );
      expect(task.attempts).to.equal(1_000_001);
      const parked = await parkedCopy(messageId);
      expect(parked.properties.headers).to.include({
        [HEADERS.retryCount]: 1_000_000,
        [HEADERS.error]: task.lastError,
        'x-trace': 'kept',
      });
      await env.waitForTask(next, 'completed');
      expect(consumer.isConsuming()).to.equal(true);
    });
  }

  it('when a body that is not JSON carries x-retry-count 1e11, then it is parked once with both reasons', async () => {
    const messageId = await publishWith(env, { [HEADERS.retryCount]: 1e11 }, '{"broken": ');

    await settledAs(consumer, messageId, 'parked');
    const parked = await parkedCopy(messageId);
    expect(parked.properties.headers?.[HEADERS.error]).to.equal(
      'x-retry-count 100000000000 is above 1000000: retries treated as exhausted (and body is not valid JSON)',
    );
    expect(parked.properties.headers?.[HEADERS.retryCount]).to.equal(1_000_000);
    expect(consumer.settlements.filter((s) => s.messageId === messageId)).to.have.length(1);
  });

  it('when a delivery carries x-retry-count 1,000,000 (in range), then it is processed, as attempt 1,000,001', async () => {
    const messageId = await publishWith(env, { [HEADERS.retryCount]: 1_000_000 });

    const task = await env.waitForTask(messageId, 'completed');
    expect(task.attempts).to.equal(1_000_001);
  });
});
