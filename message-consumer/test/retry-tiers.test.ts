import { randomUUID } from 'node:crypto';
import { HEADERS, retryTierQueue } from '@retro/common';
import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import type { Settlement } from '../src/index.js';
import { ConsumerTestEnv, type TestConsumer } from './helpers.js';

/** Retries waiting at the cap (60 s) in front of the short one. */
const CAPPED = 300;
const RETRY_DELAY_MS = 1000;
/** `x-retry-count` whose next delay is capped: 1 s · 2^6 = 64 s > 60 s. */
const CAPPED_RETRY_COUNT = 6;

/** When the consumer settled `messageId` as `outcome` (ms, performance clock). */
function settledAt(consumer: TestConsumer, messageId: string, outcome: Settlement['outcome']) {
  return new Promise<{ at: number; settlement: Settlement }>((resolve) => {
    const listener = (settlement: Settlement) => {
      if (settlement.messageId !== messageId || settlement.outcome !== outcome) return;
      consumer.events.off('settled', listener);
      resolve({ at: performance.now(), settlement });
    };
    consumer.events.on('settled', listener);
  });
}

describe('message consumer: retry tiers without head-of-line waits', function () {
  this.timeout(120_000);
  let env: ConsumerTestEnv;
  let consumer: TestConsumer;

  before(async () => {
    env = await ConsumerTestEnv.start('retry_tiers');
    consumer = await env.startConsumer({
      RETRY_DELAY_MS,
      MAX_RETRIES: 10,
      PREFETCH: 50,
      PROCESSING_DELAY_MS: 0,
    });
  });
  after(() => env?.cleanup());

  it(`when a 1 s retry is published behind ${CAPPED} capped retries, then it still comes back after about 1 s`, async () => {
    const cappedTier = retryTierQueue(env.queues.main, 60_000);
    const capped = Array.from({ length: CAPPED }, () => `capped-${randomUUID()}`);
    for (const id of capped) {
      await env.probe.publish(
        env.queues.main,
        JSON.stringify({
          type: 'custom',
          message: 'always fails',
          simulate: 'transient',
          failAttempts: 1000,
        }),
        { messageId: id, persistent: true, headers: { [HEADERS.retryCount]: CAPPED_RETRY_COUNT } },
      );
    }
    await waitFor(
      `${CAPPED} copies waiting in ${cappedTier}`,
      async () => (await env.probe.messageCount(cappedTier)) === CAPPED,
      { timeoutMs: 60_000, intervalMs: 200 },
    );

    const shortId = `short-${randomUUID()}`;
    const retried = settledAt(consumer, shortId, 'retried');
    const completed = settledAt(consumer, shortId, 'completed');
    await env.publishCustom({ simulate: 'transient', failAttempts: 1 }, shortId);
    const sent = await retried;
    const back = await completed;
    const waitedMs = Math.round(back.at - sent.at);
    const stillCapped = await env.probe.messageCount(cappedTier);
    console.log(
      `\n      a 1 s retry behind ${CAPPED} capped (60 s) retries came back and completed ` +
        `${waitedMs} ms after it was sent to ${sent.settlement.queue}; ` +
        `${stillCapped} capped retries still waiting\n`,
    );

    expect(sent.settlement.queue).to.equal(retryTierQueue(env.queues.main, 1000));
    expect(sent.settlement.delayMs).to.equal(1000);
    // the TTL runs from when the broker took the copy, a moment before its confirm was settled
    expect(waitedMs).to.be.at.least(900);
    // loose: it did not wait for any of the 60 s retries ahead of it, which are all still there
    expect(waitedMs).to.be.below(30_000);
    expect(stillCapped).to.equal(CAPPED);
  });

  it('when the same is done in the single retry queue of earlier versions, then the short retry waits behind the long ones', async () => {
    // what the tiers replace: per-message TTLs in one queue, which RabbitMQ expires only at its head
    for (let i = 0; i < CAPPED; i++) {
      await env.probe.publish(env.queues.retry, '{"type":"custom","message":"long"}', {
        messageId: `old-long-${i}`,
        expiration: '60000',
      });
    }
    const publishedAt = performance.now();
    await env.probe.publish(env.queues.retry, '{"type":"custom","message":"short"}', {
      messageId: 'old-short',
      expiration: '1000',
    });
    await waitFor('every copy in the old retry queue', async () =>
      (await env.probe.messageCount(env.queues.retry)) === CAPPED + 1 ? true : undefined,
    );
    // observed for three times its TTL: it never leaves the queue
    while (performance.now() - publishedAt < 3000) {
      expect(await env.probe.messageCount(env.queues.retry)).to.equal(CAPPED + 1);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(await env.probe.messageCount(env.queues.retry)).to.equal(CAPPED + 1);
    console.log(
      `\n      in the old single queue the same 1 s retry was still waiting after ` +
        `${Math.round(performance.now() - publishedAt)} ms, behind ${CAPPED} 60 s ones\n`,
    );
  });
});
