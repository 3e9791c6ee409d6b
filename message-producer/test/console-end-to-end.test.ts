import { randomUUID } from 'node:crypto';
import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import { ConsumerTestEnv, type TestConsumer } from '../../message-consumer/test/helpers.js';
import { type ProducerTestEnv, startProducerTestEnv } from './helpers.js';
import { park } from './parking.js';

type Summary = {
  id: number;
  messageId: string;
  replayedAt: string | null;
  replayedAs: string | null;
};

/** The console against a real consumer and backend: replayed and edited messages complete. */
describe('message producer: dead letters replayed through the consumer', function () {
  this.timeout(120_000);
  let env: ConsumerTestEnv;
  let h: ProducerTestEnv;
  let consumer: TestConsumer;

  before(async () => {
    env = await ConsumerTestEnv.start('producer_dl_e2e');
    h = await startProducerTestEnv('producer_dl_e2e', {
      queues: env.queues,
      config: { BACKEND_URL: env.backend.url },
    });
    consumer = await env.startConsumer({ MAX_RETRIES: 1, PREFETCH: 50 });
  });
  after(async () => {
    await h?.cleanup();
    await env?.cleanup();
  });

  /** The archived parkings of `messageId`, newest first. */
  const parkings = async (messageId: string): Promise<Summary[]> =>
    (await h.get(`/api/dead-letters?messageId=${encodeURIComponent(messageId)}`)).body;

  it('when a group of messages that can now succeed is replayed at 200/s, then each one completes exactly once', async () => {
    const recoverable = Array.from({ length: 200 }, (_, i) => ({
      messageId: `recover-${randomUUID()}`,
      body: JSON.stringify({ type: 'custom', message: `recoverable ${i}` }),
      reason: `backend answered 503 for report ${i}`,
    }));
    const poison = Array.from({ length: 50 }, (_, i) => ({
      messageId: `poison-${i}-${randomUUID()}`,
      body: '{"type": "custom", "message": ',
      reason: 'body is not valid JSON',
    }));
    await park(h.queues.dlq, [...recoverable, ...poison]);
    await h.archived(250);
    const { body: groups } = await h.get('/api/dead-letters/groups');
    const group = groups.find((g: { count: number }) => g.count === 200).groupId;

    const res = await h.post('/api/dead-letters/replays', { group, rate: 200 });
    const job = await waitFor('the replay to end', async () => {
      const j = (await h.get(`/api/dead-letters/replays/${res.body.jobId}`)).body;
      return j.status === 'running' ? undefined : j;
    });
    await waitFor(
      'every replayed message completed',
      async () => {
        const done = consumer.settlements.filter((s) => s.outcome === 'completed');
        return done.length >= 200;
      },
      { timeoutMs: 60_000 },
    );

    expect(job).to.include({ status: 'completed', replayed: 200 });
    const completed = consumer.settlements
      .filter((s) => s.outcome === 'completed')
      .map((s) => s.messageId);
    expect(new Set(completed).size).to.equal(200);
    expect(completed).to.have.members(recoverable.map((r) => r.messageId));
    for (const { messageId } of recoverable.slice(0, 5)) {
      expect((await env.task(messageId))?.status).to.equal('completed');
    }
  });

  it('when an invalid message is edited with a JSON mistake, then it is refused; fixed, it is replayed under a new id and completes, and the original is marked and linked', async () => {
    const original = `broken-${randomUUID()}`;
    const sent = await h.post('/api/messages/raw', {
      body: '{"type": "custom", "message": ',
      messageId: original,
    });
    expect(sent.status).to.equal(201);
    await env.waitForTask(original, 'failed');
    const [parked] = await waitFor('the parked message in the archive', async () => {
      const found = await parkings(original);
      return found.length ? found : undefined;
    });

    const mistake = await h.post(`/api/dead-letters/${parked!.id}/edit-and-replay`, {
      body: '{"type": "custom", "message": "fixed",}',
    });
    const fixed = await h.request(
      'POST',
      `/api/dead-letters/${parked!.id}/edit-and-replay`,
      { body: '{"type": "custom", "message": "fixed"}' },
      { 'X-Actor': 'mallory' }, // ignored: the signed-in account is the actor
    );

    expect(mistake.status).to.equal(400);
    expect(mistake.body.error.details[0].field).to.equal('body');
    expect(mistake.body.error.details[0].message).to.match(/^is not valid JSON/);
    expect(fixed.status).to.equal(201);
    const { messageId, replayOf } = fixed.body;
    expect(messageId).not.to.equal(original);
    expect(replayOf).to.equal(original);
    expect((await env.waitForTask(messageId, 'completed')).type).to.equal('custom');
    expect((await env.task(original))?.status).to.equal('failed'); // its own task, unchanged
    const [marked] = await parkings(original);
    expect(marked).to.include({ replayedAs: messageId });
    expect(marked!.replayedAt).to.be.a('string');
    const [entry] = (await h.get(`/api/dead-letters/audit?deadLetterId=${parked!.id}`)).body;
    expect(entry).to.include({ action: 'edit-and-replay', actor: 'test-operator', affected: 1 });
    expect(entry.outcome).to.deep.equal({ messageId, replayOf: original });
    expect(entry.request.body).to.equal('{"type": "custom", "message": "fixed"}');
  });

  it('when a game event with a wrong action is edited, then its copy completes as a game task under the new id', async () => {
    const { id: gameId } = await env.createGame();
    const eventId = `explode-${randomUUID()}`;
    await h.post('/api/messages/raw', {
      body: { eventId, gameId, action: 'explode', gameData: {} },
    });
    await env.waitForTask(eventId, 'failed');
    const [parked] = await waitFor('the parked event', async () => {
      const found = await parkings(eventId);
      return found.length ? found : undefined;
    });

    const fixed = await h.post(`/api/dead-letters/${parked!.id}/edit-and-replay`, {
      body: { eventId, gameId, action: 'process', gameData: {} },
    });

    expect(fixed.status).to.equal(201);
    const task = await env.waitForTask(fixed.body.messageId, 'completed');
    expect(task).to.include({ type: 'game', gameId, action: 'process' });
  });
});
