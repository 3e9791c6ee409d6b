import { metricValue } from '@retro/common/testing';
import { HEADERS } from '@retro/common';
import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import { legacyMessageId } from '../src/domain/message.js';
import { ConsumerTestEnv, settledAs, validGame, type TestConsumer } from './helpers.js';

describe('message consumer: processing', () => {
  let env: ConsumerTestEnv;
  let consumer: TestConsumer;

  before(async () => {
    env = await ConsumerTestEnv.start('consumer_happy');
    consumer = await env.startConsumer({ PROCESSING_DELAY_MS: 300 });
  });
  after(() => env?.cleanup());

  it('when a game is created, then its task goes pending → processing → completed and so does the game', async () => {
    const { id, eventId } = await env.createGame('Metroid');
    const seen = new Set<string>();
    await waitFor('the task to complete', async () => {
      const task = await env.task(eventId);
      if (task) seen.add(task.status);
      return task?.status === 'completed';
    });
    expect([...seen]).to.include('processing');
    const task = (await env.task(eventId))!;
    expect(task).to.include({ type: 'game', gameId: id, action: 'create', attempts: 1 });
    expect(task.lastError).to.equal(null);
    const game = await env.api<{ processingStatus: string }>(`/api/games/${id}`);
    expect(game.body.processingStatus).to.equal('completed');
  });

  it('when a game is updated and then deleted, then both events complete in order', async () => {
    const { id, eventId: created } = await env.createGame('Kid Icarus');
    await env.waitForTask(created, 'completed');
    const updated = await env.api(`/api/games/${id}`, {
      method: 'PUT',
      body: validGame({ title: 'Kid Icarus (rev A)' }),
    });
    expect(updated.status).to.equal(200);
    const updateEvent = await env.latestEventId(id);
    expect((await env.waitForTask(updateEvent, 'completed')).action).to.equal('update');
    expect(
      (await env.api<{ processingStatus: string }>(`/api/games/${id}`)).body.processingStatus,
    ).to.equal('completed');

    expect((await env.api(`/api/games/${id}`, { method: 'DELETE' })).status).to.equal(204);
    const deleteEvent = await env.latestEventId(id);
    expect(deleteEvent).to.not.equal(updateEvent);
    const task = await env.waitForTask(deleteEvent, 'completed');
    expect(task).to.include({ action: 'delete', gameId: id });
  });

  it('when a custom message arrives, then it is processed and reported as a custom task', async () => {
    const messageId = await env.publishCustom({ message: 'hello from a tester' });
    const task = await env.waitForTask(messageId, 'completed');
    expect(task).to.include({ type: 'custom', gameId: null, action: null, attempts: 1 });
  });

  it('when a message of the original producer arrives without any id, then it still completes under an id derived from its body', async () => {
    const { id, eventId } = await env.createGame('Zelda II');
    await env.waitForTask(eventId, 'completed');
    const body = JSON.stringify({
      gameId: id,
      action: 'process',
      gameData: {},
      timestamp: new Date().toISOString(),
    });
    await env.probe.publish(env.queues.main, body, { persistent: true });
    const task = await env.waitForTask(legacyMessageId(Buffer.from(body)), 'completed');
    expect(task).to.include({ type: 'game', gameId: id, action: 'process' });
  });

  it('when a custom message simulates a transient failure, then it is retried and completes on the third attempt', async () => {
    const messageId = await env.publishCustom({ simulate: 'transient', failAttempts: 2 });
    const task = await env.waitForTask(messageId, 'completed');
    expect(task.attempts).to.equal(3);
    const mine = await settledAs(consumer, messageId, 'completed');
    expect(mine.map((s) => [s.outcome, s.retryCount])).to.deep.equal([
      ['retried', 0],
      ['retried', 1],
      ['completed', 2],
    ]);
    expect(await env.probe.messageCount(env.queues.dlq)).to.equal(0);
  });

  it('when a custom message simulates a permanent failure, then it is parked at once and its task fails', async () => {
    const messageId = await env.publishCustom({ simulate: 'permanent', note: 'keep me' });
    const task = await env.waitForTask(messageId, 'failed');
    expect(task.lastError).to.equal('simulated permanent failure');
    expect(task.attempts).to.equal(1);
    const parked = await waitFor('the parked copy', async () => {
      const [msg] = await env.probe.drain(env.queues.dlq, 1);
      return msg;
    });
    expect(parked.properties.messageId).to.equal(messageId);
    expect(parked.properties.contentType).to.equal('application/json');
    expect(parked.properties.deliveryMode).to.equal(2);
    expect(parked.properties.headers?.[HEADERS.error]).to.equal('simulated permanent failure');
    expect(parked.properties.headers?.[HEADERS.retryCount]).to.equal(0);
    expect(Date.parse(String(parked.properties.headers?.[HEADERS.failedAt]))).to.be.closeTo(
      Date.now(),
      60_000,
    );
    expect(JSON.parse(parked.content.toString())).to.include({ type: 'custom', note: 'keep me' });
  });

  it('when a custom message fails transiently more often than MAX_RETRIES allows, then it ends failed and parked', async () => {
    const messageId = await env.publishCustom({ simulate: 'transient', failAttempts: 10 });
    const task = await env.waitForTask(messageId, 'failed');
    expect(task.attempts).to.equal(4);
    expect(task.lastError).to.match(/^gave up after 3 retries: simulated transient failure/);
    const [parked] = await waitFor('the parked copy', async () => {
      const msgs = await env.probe.drain(env.queues.dlq, 1);
      return msgs.length ? msgs : undefined;
    });
    expect(parked!.properties.headers?.[HEADERS.retryCount]).to.equal(3);
  });

  it('reports healthy while consuming and counts what it did on /metrics', async () => {
    const messageId = await env.publishCustom({ simulate: 'permanent' });
    await env.waitForTask(messageId, 'failed');
    await env.probe.drain(env.queues.dlq);
    const health = await fetch(`http://127.0.0.1:${consumer.port}/health`);
    expect(health.status).to.equal(200);
    expect(await health.json()).to.include({ status: 'ok', broker: 'connected', consuming: true });
    const metrics = await (await fetch(`http://127.0.0.1:${consumer.port}/metrics`)).text();
    expect(metricValue(metrics, 'consumer_messages_consumed_total')).to.be.at.least(1);
    expect(metricValue(metrics, 'consumer_messages_acked_total')).to.be.at.least(1);
    expect(metricValue(metrics, 'consumer_messages_parked_total')).to.be.at.least(1);
    expect(metricValue(metrics, 'consumer_messages_failed_total')).to.be.at.least(1);
    expect(metricValue(metrics, 'consumer_in_flight_messages')).to.equal(0);
    expect(metrics).to.include('consumer_processing_duration_seconds_bucket');
  });
});
