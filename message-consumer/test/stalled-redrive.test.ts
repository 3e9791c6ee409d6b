import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import { ConsumerTestEnv } from './helpers.js';

describe('message consumer: re-driving a stalled task', () => {
  let env: ConsumerTestEnv;

  before(async () => {
    env = await ConsumerTestEnv.start('consumer_stalled', { TASK_STALLED_AFTER_MS: 1000 });
  });
  after(() => env?.cleanup());

  it('when a game event is purged from the queue, then its task stalls, and a retry gets it completed by a consumer', async () => {
    // no consumer runs yet: the event waits on the queue until an operator purges it
    const { id, eventId } = await env.createGame('Lost in the queue');
    await waitFor(
      'the event on the queue',
      async () => (await env.probe.messageCount(env.queues.main)) > 0,
    );
    const purged = await env.probe.drain(env.queues.main);
    expect(purged.map((m) => m.properties.messageId)).to.deep.equal([eventId]);

    const stalled = await waitFor('the task to stall', async () => {
      const task = await env.task(eventId);
      return task?.stalled ? task : undefined;
    });
    expect(stalled).to.include({ status: 'pending', attempts: 0 });

    await env.startConsumer();
    const retried = await env.api(`/api/tasks/${eventId}/retry`, { method: 'POST' });
    expect(retried.status).to.equal(202);

    const task = await env.waitForTask(eventId, 'completed');
    expect(task).to.include({ gameId: id, action: 'create', attempts: 1, stalled: false });
    const game = await env.api<{ processingStatus: string }>(`/api/games/${id}`);
    expect(game.body.processingStatus).to.equal('completed');
  });
});
