import { expect } from 'chai';
import { ConsumerTestEnv, RecordingBackendProxy, settledAs, type TestConsumer } from './helpers.js';

/**
 * With no work to do, a message completes before its `processing` report has left the consumer:
 * `completed` then goes in its place, so the message costs one status write, not two.
 */
describe('message consumer: a message that completes before its processing report was sent', () => {
  let env: ConsumerTestEnv;
  let proxy: RecordingBackendProxy;
  let consumer: TestConsumer;

  before(async () => {
    env = await ConsumerTestEnv.start('consumer_single_write');
    proxy = new RecordingBackendProxy(env.backend.url);
    consumer = await env.startConsumer({
      BACKEND_URL: await proxy.start(),
      PROCESSING_DELAY_MS: 0,
    });
  });
  after(async () => {
    await consumer?.stop();
    await proxy?.stop();
    await env?.cleanup();
  });

  const writesOf = (messageId: string) =>
    proxy.requests.filter((r) => r.messageId === messageId).map((r) => r.body.status);

  it('then its task and its game go from pending to completed with a single status write', async () => {
    const { id, eventId } = await env.createGame('Metroid');
    const task = await env.waitForTask(eventId, 'completed');
    expect(task).to.include({ type: 'game', gameId: id, attempts: 1, lastError: null });
    expect(writesOf(eventId)).to.deep.equal(['completed']);
    const game = await env.api<{ processingStatus: string }>(`/api/games/${id}`);
    expect(game.body.processingStatus).to.equal('completed');
    expect((await settledAs(consumer, eventId, 'completed')).map((s) => s.outcome)).to.deep.equal([
      'completed',
    ]);
  });

  it('then many messages at once still complete, each with one write, in few requests', async () => {
    const ids = await Promise.all(
      Array.from({ length: 40 }, (_, i) => env.publishCustom({ message: `m${i}` })),
    );
    for (const id of ids) await env.waitForTask(id, 'completed');
    expect(ids.map((id) => writesOf(id))).to.deep.equal(ids.map(() => ['completed']));
  });

  it('when a copy of a completed message arrives, then it is acked as a duplicate and the task stays as it was', async () => {
    const messageId = await env.publishCustom();
    const done = await env.waitForTask(messageId, 'completed');
    await env.publishCustom({}, messageId);
    const settled = await settledAs(consumer, messageId, 'duplicate');
    expect(settled.map((s) => s.outcome)).to.deep.equal(['completed', 'duplicate']);
    expect(await env.task(messageId)).to.deep.include({
      status: 'completed',
      attempts: done.attempts,
      updatedAt: done.updatedAt,
    });
  });

  it('when a parked message is replayed, then the single write reopens its failed task and completes it', async () => {
    const messageId = await env.publishCustom({ simulate: 'permanent' });
    await env.waitForTask(messageId, 'failed');
    await env.replayParked(messageId, { simulate: 'success' });
    const task = await env.waitForTask(messageId, 'completed');
    expect(task).to.include({ attempts: 1, lastError: null });
    expect(writesOf(messageId)).to.deep.equal(['processing', 'failed', 'completed']);
  });
});
