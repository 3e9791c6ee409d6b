import { HEADERS } from '@retro/common';
import { TcpProxy, waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import { ConsumerTestEnv, RecordingBackendProxy, settledAs, type TestConsumer } from './helpers.js';

const RETRY_DELAY_MS = 200;

describe('message consumer: backend outages and refusals', () => {
  let env: ConsumerTestEnv;

  before(async () => {
    env = await ConsumerTestEnv.start('consumer_backend');
  });
  after(() => env?.cleanup());

  describe('when the backend answers 5xx', () => {
    let proxy: RecordingBackendProxy;
    let consumer: TestConsumer;

    before(async () => {
      proxy = new RecordingBackendProxy(env.backend.url);
      const url = await proxy.start();
      consumer = await env.startConsumer({ BACKEND_URL: url, RETRY_DELAY_MS, MAX_RETRIES: 3 });
    });
    after(async () => {
      await consumer.stop();
      await proxy.stop();
    });

    it('then each retry waits longer than the one before, and after MAX_RETRIES the task fails and the message is parked', async () => {
      proxy.failWith = (body) => (body.status === 'processing' ? 503 : undefined);
      const { eventId } = await env.createGame('Castlevania');

      const task = await env.waitForTask(eventId, 'failed', 30_000);
      expect(task.attempts).to.equal(4);
      expect(task.lastError).to.match(
        /^gave up after 3 retries: backend answered 503 to processing/,
      );

      // the broker redelivered it with x-retry-count 0, 1, 2, 3 (reported as attempts 1..4)
      const mine = await settledAs(consumer, eventId, 'parked');
      expect(mine.map((s) => [s.outcome, s.retryCount, s.delayMs])).to.deep.equal([
        ['retried', 0, RETRY_DELAY_MS],
        ['retried', 1, RETRY_DELAY_MS * 2],
        ['retried', 2, RETRY_DELAY_MS * 4],
        ['parked', 3, undefined],
      ]);
      const firstTryOf = (attempt: number) =>
        proxy.requests.find(
          (r) =>
            r.messageId === eventId &&
            r.body.status === 'processing' &&
            r.body.attempts === attempt,
        )!.at;
      const gaps = [1, 2, 3].map((n) => firstTryOf(n + 1) - firstTryOf(n));
      gaps.forEach((gap, n) => expect(gap).to.be.at.least(RETRY_DELAY_MS * 2 ** n - 5));
      expect(gaps[1]).to.be.greaterThan(gaps[0]!);
      expect(gaps[2]).to.be.greaterThan(gaps[1]!);

      const [parked] = await env.probe.drain(env.queues.dlq);
      expect(parked!.properties.messageId).to.equal(eventId);
      expect(parked!.properties.headers?.[HEADERS.retryCount]).to.equal(3);
      expect(String(parked!.properties.headers?.[HEADERS.error])).to.match(
        /gave up after 3 retries/,
      );
      expect(JSON.parse(parked!.content.toString())).to.include({ eventId, action: 'create' });
    });

    it('then a game whose last event failed shows failed processing', async () => {
      proxy.failWith = (body) => (body.status === 'processing' ? 500 : undefined);
      const { id, eventId } = await env.createGame('Ghosts n Goblins');
      await env.waitForTask(eventId, 'failed', 30_000);
      const game = await env.api<{ processingStatus: string }>(`/api/games/${id}`);
      expect(game.body.processingStatus).to.equal('failed');
      await env.probe.drain(env.queues.dlq);
    });

    it('when the backend refuses a status write with a 4xx, then the message is parked at once without retries', async () => {
      proxy.failWith = (body) => (body.status === 'processing' ? 422 : undefined);
      const messageId = await env.publishCustom();
      const task = await env.waitForTask(messageId, 'failed');
      expect(task.lastError).to.match(/backend answered 422 to processing/);
      expect((await settledAs(consumer, messageId, 'parked')).map((s) => s.outcome)).to.deep.equal([
        'parked',
      ]);
      // no quick in-place retries either: one processing write, then the failed report
      expect(
        proxy.requests.filter((r) => r.messageId === messageId).map((r) => r.body.status),
      ).to.deep.equal(['processing', 'failed']);
      const [parked] = await env.probe.drain(env.queues.dlq);
      expect(parked!.properties.headers?.[HEADERS.retryCount]).to.equal(0);
    });

    it('when the backend fails only briefly, then the quick in-place retry hides it and nothing is requeued', async () => {
      let failures = 1;
      proxy.failWith = () => (failures-- > 0 ? 502 : undefined);
      const messageId = await env.publishCustom();
      await env.waitForTask(messageId, 'completed');
      expect(
        (await settledAs(consumer, messageId, 'completed')).map((s) => s.outcome),
      ).to.deep.equal(['completed']);
    });
  });

  describe('when the backend is unreachable', () => {
    let link: TcpProxy;
    let consumer: TestConsumer;

    before(async () => {
      link = new TcpProxy('127.0.0.1', env.backend.port);
      await link.start();
      consumer = await env.startConsumer({
        BACKEND_URL: `http://127.0.0.1:${link.port}`,
        RETRY_DELAY_MS,
        MAX_RETRIES: 3,
      });
    });
    after(async () => {
      await consumer.stop();
      await link.stop();
    });

    it('and comes back during the retries, then the message completes', async () => {
      link.disconnect();
      const messageId = await env.publishCustom();
      await waitFor('a first retry', () =>
        consumer.settlements.some((s) => s.messageId === messageId && s.outcome === 'retried'),
      );
      link.restore();
      const task = await env.waitForTask(messageId, 'completed');
      expect(task.attempts).to.be.at.least(2);
    });

    it('for longer than the retries allow, then the message is parked saying so, and later messages complete once it is back', async () => {
      link.disconnect();
      const lost = await env.publishCustom();
      const parked = await waitFor(
        'the message to be parked',
        () => consumer.settlements.find((s) => s.messageId === lost && s.outcome === 'parked'),
        { timeoutMs: 30_000 },
      );
      expect(parked.reason).to.match(/^gave up after 3 retries: backend unreachable/);
      const [copy] = await env.probe.drain(env.queues.dlq);
      expect(copy!.properties.messageId).to.equal(lost);
      expect(copy!.properties.headers?.[HEADERS.retryCount]).to.equal(3);

      link.restore();
      const next = await env.publishCustom();
      await env.waitForTask(next, 'completed');
    });
  });
});
