import { randomUUID } from 'node:crypto';
import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import { ConsumerTestEnv, RecordingBackendProxy, type TestConsumer } from './helpers.js';

describe('message consumer: concurrency, ordering and duplicates', () => {
  let env: ConsumerTestEnv;

  before(async () => {
    env = await ConsumerTestEnv.start('consumer_concurrency');
  });
  after(() => env?.cleanup());

  /** A game event for `gameId` straight onto the queue, as the relay would publish it. */
  async function publishGameEvent(
    gameId: number,
    action = 'update',
    eventId = `evt-${randomUUID()}`,
  ) {
    const body = { eventId, gameId, action, gameData: {}, timestamp: new Date().toISOString() };
    await env.probe.publish(env.queues.main, JSON.stringify(body), {
      messageId: eventId,
      persistent: true,
      contentType: 'application/json',
    });
    return eventId;
  }

  describe('with one consumer', () => {
    let proxy: RecordingBackendProxy;
    let consumer: TestConsumer;

    before(async () => {
      proxy = new RecordingBackendProxy(env.backend.url);
      consumer = await env.startConsumer({
        BACKEND_URL: await proxy.start(),
        PROCESSING_DELAY_MS: 50,
        PREFETCH: 20,
      });
    });
    after(async () => {
      await consumer.stop();
      await proxy.stop();
    });

    it('when several events of one game arrive together, then they run one at a time in order while other games run alongside', async () => {
      const games = await Promise.all([1, 2, 3].map(() => env.createGame()));
      for (const g of games) await env.waitForTask(g.eventId, 'completed');
      proxy.requests.length = 0;

      const order = new Map<number, string[]>();
      for (let round = 0; round < 5; round += 1) {
        for (const g of games) {
          const id = await publishGameEvent(g.id);
          order.set(g.id, [...(order.get(g.id) ?? []), id]);
        }
      }
      const all = [...order.values()].flat();
      for (const id of all) await env.waitForTask(id, 'completed');

      for (const g of games) {
        const writes = proxy.requests.filter((r) => r.body.gameId === g.id);
        // processing, completed, processing, completed ...: never two of one game at once
        expect(writes.map((r) => r.body.status)).to.deep.equal(
          Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 'processing' : 'completed')),
        );
        expect(
          writes.filter((r) => r.body.status === 'completed').map((r) => r.messageId),
        ).to.deep.equal(order.get(g.id));
      }
      // and different games did overlap
      let open = 0;
      let most = 0;
      for (const r of proxy.requests) {
        open += r.body.status === 'processing' ? 1 : -1;
        most = Math.max(most, open);
      }
      expect(most).to.be.greaterThan(1);
    });

    it('when the same message is delivered twice, then it completes once and the copy is acknowledged without work', async () => {
      const { id } = await env.createGame();
      const eventId = `evt-${randomUUID()}`;
      await publishGameEvent(id, 'update', eventId);
      await publishGameEvent(id, 'update', eventId);
      await waitFor(
        'both copies to settle',
        () => consumer.settlements.filter((s) => s.messageId === eventId).length === 2,
      );
      const outcomes = consumer.settlements
        .filter((s) => s.messageId === eventId)
        .map((s) => s.outcome);
      expect(outcomes).to.deep.equal(['completed', 'duplicate']);
      const writes = proxy.requests
        .filter((r) => r.messageId === eventId)
        .map((r) => r.body.status);
      expect(writes).to.deep.equal(['processing', 'completed', 'processing']);
      expect(await env.task(eventId)).to.include({ status: 'completed', attempts: 1 });
    });

    it('when a late copy of a finished message arrives, then the task does not regress and the game stays completed', async () => {
      const { id, eventId } = await env.createGame();
      await env.waitForTask(eventId, 'completed');
      await publishGameEvent(id, 'create', eventId);
      await waitFor('the late copy to settle', () =>
        consumer.settlements.find((s) => s.messageId === eventId && s.outcome === 'duplicate'),
      );
      expect((await env.task(eventId))?.status).to.equal('completed');
      expect(
        (await env.api<{ processingStatus: string }>(`/api/games/${id}`)).body.processingStatus,
      ).to.equal('completed');
    });

    it('when a copy of a parked message comes back, then its failed task is not revived', async () => {
      const messageId = await env.publishCustom({ simulate: 'permanent' });
      await env.waitForTask(messageId, 'failed');
      const [parked] = await waitFor('the parked copy', async () => {
        const msgs = await env.probe.drain(env.queues.dlq, 1);
        return msgs.length ? msgs : undefined;
      });
      await env.probe.publish(env.queues.main, parked!.content, { messageId });
      await waitFor('the copy to settle', () =>
        consumer.settlements.find((s) => s.messageId === messageId && s.outcome === 'duplicate'),
      );
      expect((await env.task(messageId))?.status).to.equal('failed');
    });

    it('when a parked message is replayed (x-replayed-at), then its failed task is processed again and completes', async () => {
      const messageId = await env.publishCustom({ simulate: 'transient', failAttempts: 99 });
      await env.waitForTask(messageId, 'failed');
      // the tester fixed the cause: the replayed body no longer asks to fail
      await env.replayParked(messageId, { simulate: 'success' });
      const task = await env.waitForTask(messageId, 'completed');
      expect(task.attempts).to.equal(1);
      expect(task.lastError).to.equal(null);
    });
  });

  describe('with two consumers on one queue', () => {
    it('then the work is shared and no message is processed to completion twice', async () => {
      const a = await env.startConsumer({ PROCESSING_DELAY_MS: 20, PREFETCH: 5 });
      const b = await env.startConsumer({ PROCESSING_DELAY_MS: 20, PREFETCH: 5 });
      const ids: string[] = [];
      for (let i = 0; i < 30; i += 1) ids.push(await publishGameEvent((i % 10) + 1, 'process'));
      for (let i = 0; i < 30; i += 1) ids.push(await env.publishCustom({ message: `c${i}` }));
      for (const id of ids) await env.waitForTask(id, 'completed');

      await waitFor('both consumers to settle everything', () =>
        a.settlements.length + b.settlements.length >= ids.length ? true : undefined,
      );
      const completions = [...a.settlements, ...b.settlements].filter(
        (s) => s.outcome === 'completed',
      );
      const perMessage = new Map<string, number>();
      for (const s of completions)
        perMessage.set(s.messageId!, (perMessage.get(s.messageId!) ?? 0) + 1);
      expect(perMessage.size).to.equal(ids.length);
      expect([...perMessage.values()].every((n) => n === 1)).to.equal(true);
      expect(a.settlements.length).to.be.greaterThan(0);
      expect(b.settlements.length).to.be.greaterThan(0);
      await Promise.all([a.stop(), b.stop()]);
    });
  });
});
