import { HEADERS } from '@retro/common';
import { expect } from 'chai';
import { ConsumerTestEnv, settledAs, type TestConsumer } from './helpers.js';

describe('message consumer: a message that reuses another task’s id', () => {
  let env: ConsumerTestEnv;
  let consumer: TestConsumer;

  before(async () => {
    env = await ConsumerTestEnv.start('consumer_forged');
    consumer = await env.startConsumer();
  });
  after(() => env?.cleanup());

  it('when a custom message carries a game event’s id, then it is parked and neither the task nor the game changes', async () => {
    const { id, eventId } = await env.createGame('Metroid');
    const task = await env.waitForTask(eventId, 'completed');
    const before = await env.api<{ processingStatus: string; updatedAt: string }>(
      `/api/games/${id}`,
    );

    await env.publishCustom({ message: 'forged' }, eventId);
    const settlements = await settledAs(consumer, eventId, 'parked');
    // with no work to do, `completed` went in place of the waiting `processing` report
    expect(settlements.at(-1)!.reason).to.match(/backend refused the completed report: .*type/);

    const after = await env.task(eventId);
    expect(after).to.deep.include({ status: 'completed', type: 'game', attempts: task.attempts });
    const game = await env.api<{ processingStatus: string }>(`/api/games/${id}`);
    expect(game.body.processingStatus).to.equal(before.body.processingStatus);
    const [parked] = await env.probe.drain(env.queues.dlq);
    expect(parked!.properties.messageId).to.equal(eventId);
    expect(String(parked!.properties.headers?.[HEADERS.error])).to.match(/refused/);
  });

  it('when a game event names another game than its task, then it is parked and the task keeps its game', async () => {
    const first = await env.createGame('Zelda');
    const second = await env.createGame('Kid Icarus');
    await env.waitForTask(first.eventId, 'completed');
    const body = { eventId: first.eventId, gameId: second.id, action: 'update', gameData: {} };
    await env.probe.publish(env.queues.main, JSON.stringify(body), {
      messageId: first.eventId,
      persistent: true,
      contentType: 'application/json',
    });
    await settledAs(consumer, first.eventId, 'parked');
    expect((await env.task(first.eventId))?.gameId).to.equal(first.id);
    await env.probe.drain(env.queues.dlq);
  });
});
