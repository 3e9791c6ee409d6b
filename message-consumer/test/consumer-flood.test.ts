import { metricValue } from '@retro/common/testing';
import { randomUUID } from 'node:crypto';
import { HEADERS, retryTierQueue } from '@retro/common';
import { waitFor } from '@retro/common/testing';
import type { GetMessage } from 'amqplib';
import { expect } from 'chai';
import { keyLimit } from '../src/index.js';
import { ConsumerTestEnv, type TestConsumer } from './helpers.js';

const PREFETCH = 10;
const PROCESSING_DELAY_MS = 200;

describe('message consumer: one game flooding the queue', () => {
  let env: ConsumerTestEnv;
  let consumer: TestConsumer;

  before(async () => {
    env = await ConsumerTestEnv.start('consumer_flood');
  });
  after(() => env?.cleanup());

  /** Publishes a game event as the relay would, straight to the main queue. */
  async function publishEvent(gameId: number): Promise<string> {
    const eventId = randomUUID();
    const body = {
      eventId,
      gameId,
      action: 'update',
      gameData: {},
      timestamp: new Date().toISOString(),
    };
    await env.probe.publish(env.queues.main, JSON.stringify(body), {
      messageId: eventId,
      persistent: true,
      contentType: 'application/json',
    });
    return eventId;
  }

  it('holds at most keyLimit deliveries of one game and defers the rest, so the other games complete without waiting for it', async function () {
    this.timeout(90_000);
    const limit = keyLimit(PREFETCH); // 1 running + 4 waiting
    const flooded = (await env.createGame('Flood')).id;
    const others = await Promise.all(
      Array.from({ length: 10 }, (_, i) => env.createGame(`Other ${i}`)),
    );
    const flood: string[] = [];
    for (let i = 0; i < 30; i++) flood.push(await publishEvent(flooded));
    const otherEvents: string[] = [];
    for (const game of others) otherEvents.push(await publishEvent(game.id));

    const started = Date.now();
    consumer = await env.startConsumer({ PREFETCH, PROCESSING_DELAY_MS });
    for (const id of otherEvents) await env.waitForTask(id, 'completed', 15_000);
    const othersMs = Date.now() - started;
    // the others need ceil(10 / (PREFETCH - limit)) rounds of work; the flood ahead of them costs
    // one republish each, well under 50 ms apiece even on a busy machine
    const bound = Math.ceil(10 / (PREFETCH - limit)) * PROCESSING_DELAY_MS + 30 * 50 + 1000;
    expect(othersMs, `the other games took ${othersMs} ms`).to.be.below(bound);

    const deferred = consumer.settlements.filter((s) => s.outcome === 'deferred');
    expect(deferred.length).to.be.greaterThan(0);
    expect(deferred.every((s) => flood.includes(s.messageId!) && s.retryCount === 0)).to.equal(
      true,
    );

    // the flood itself finishes too: nothing parked, no retry spent
    for (const id of flood) await env.waitForTask(id, 'completed', 60_000);
    const settled = consumer.settlements.filter((s) => flood.includes(s.messageId!));
    expect(settled.map((s) => s.outcome)).to.not.include.members(['parked', 'retried']);
    const text = await (await fetch(`http://127.0.0.1:${consumer.port}/metrics`)).text();
    const allDeferred = consumer.settlements.filter((s) => s.outcome === 'deferred').length;
    expect(metricValue(text, 'consumer_messages_deferred_total')).to.equal(allDeferred);
    expect(await env.probe.messageCount(env.queues.dlq)).to.equal(0);
  });

  it('marks deferred copies with x-deferrals and sends each to the retry tier of its turn, spending no retry', async () => {
    const created = await env.createGame('Deferred copy');
    const game = created.id;
    // the create's own event is processed first, so the game has exactly the deliveries below
    await env.waitForTask(created.eventId, 'completed', 15_000);
    await consumer.stop();
    for (let i = 0; i < keyLimit(PREFETCH) + 4; i++) await publishEvent(game);
    consumer = await env.startConsumer({ PREFETCH, PROCESSING_DELAY_MS: 5000 });
    // keyLimit held (one running, the rest waiting), 4 deferred: due 5, 10, 15 and 20 s from now
    await waitFor('deferred copies in the retry tiers', async () =>
      (await env.retryDepth()) === 4 ? true : undefined,
    );
    const copies: GetMessage[] = [];
    for (const queue of env.retryQueues) copies.push(...(await env.probe.drain(queue)));
    expect(copies).to.have.length.of.at.least(4);
    // x-deferrals is 1, or more for a copy that came back before the drain and was deferred again
    for (const copy of copies) {
      expect(copy.properties.headers?.[HEADERS.deferrals]).to.be.a('number').that.is.at.least(1);
      expect(copy.properties.headers?.[HEADERS.retryCount]).to.equal(undefined);
      expect(copy.properties.expiration).to.equal(undefined);
    }
    // each waits in the shortest tier at least as long as its turn is away (5, 10, 15, 20 s)
    // (settled as their copies are confirmed: copies to different tiers may confirm in any order)
    const deferred = consumer.settlements
      .filter((s) => s.outcome === 'deferred')
      .slice(0, 4)
      .sort((a, b) => a.delayMs! - b.delayMs!);
    expect(deferred.map((s) => s.queue)).to.deep.equal(
      [6400, 12_800, 25_600, 25_600].map((tier) => retryTierQueue(env.queues.main, tier)),
    );
    expect(deferred.map((s) => s.delayMs)).to.deep.equal([6400, 12_800, 25_600, 25_600]);
    expect(deferred.every((s) => s.retryCount === 0)).to.equal(true);
  });
});
