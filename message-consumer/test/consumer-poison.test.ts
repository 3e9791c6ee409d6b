import { HEADERS } from '@retro/common';
import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import { ConsumerTestEnv, type TestConsumer } from './helpers.js';

/** Every shape of message the consumer can never process. */
const POISON: Array<{ shape: string; body: string; messageId?: string; reason: RegExp }> = [
  { shape: 'invalid JSON', body: '{"gameId": 1, "action":', reason: /not valid JSON/ },
  {
    shape: 'invalid JSON with a message id',
    body: 'not json',
    messageId: 'poison-json',
    reason: /not valid JSON/,
  },
  { shape: 'a JSON array', body: '[1,2,3]', reason: /not a JSON object/ },
  { shape: 'a bare JSON number', body: '42', reason: /not a JSON object/ },
  { shape: 'JSON null', body: 'null', reason: /not a JSON object/ },
  { shape: 'an empty body', body: '', reason: /not valid JSON/ },
  {
    shape: 'a game event without gameId',
    body: '{"eventId":"poison-nogame","action":"create"}',
    reason: /gameId/,
  },
  {
    shape: 'a game event without action',
    body: '{"eventId":"poison-noaction","gameId":1}',
    reason: /action/,
  },
  {
    shape: 'a game event with an unknown action',
    body: '{"eventId":"poison-action","gameId":1,"action":"explode"}',
    reason: /action/,
  },
  {
    shape: 'a game event with a negative gameId',
    body: '{"eventId":"poison-negative","gameId":-5,"action":"create"}',
    reason: /gameId/,
  },
  {
    shape: 'a message id the backend cannot take',
    body: '{"type":"custom","message":"m"}',
    messageId: 'order#42',
    reason: /messageId/,
  },
  {
    shape: 'a custom message without its message field',
    body: '{"type":"custom"}',
    messageId: 'poison-custom',
    reason: /message/,
  },
];

describe('message consumer: poison messages', () => {
  let env: ConsumerTestEnv;
  let consumer: TestConsumer;

  before(async () => {
    env = await ConsumerTestEnv.start('consumer_poison');
    consumer = await env.startConsumer({ PREFETCH: 1 });
  });
  after(() => env?.cleanup());

  for (const poison of POISON) {
    it(`when ${poison.shape} arrives, then it is parked with its reason and the next message still completes`, async () => {
      await env.probe.publish(env.queues.main, poison.body, {
        persistent: true,
        contentType: 'application/json',
        ...(poison.messageId ? { messageId: poison.messageId } : {}),
        headers: { 'x-trace': 'kept' },
      });
      const next = await env.publishCustom({ message: `after ${poison.shape}` });
      await env.waitForTask(next, 'completed');

      const [parked] = await waitFor('the parked copy', async () => {
        const msgs = await env.probe.drain(env.queues.dlq, 1);
        return msgs.length ? msgs : undefined;
      });
      expect(parked!.content.toString()).to.equal(poison.body);
      const headers = parked!.properties.headers ?? {};
      expect(String(headers[HEADERS.error])).to.match(poison.reason);
      expect(headers[HEADERS.retryCount]).to.equal(0);
      expect(new Date(String(headers[HEADERS.failedAt])).toISOString()).to.equal(
        headers[HEADERS.failedAt],
      );
      expect(headers['x-trace']).to.equal('kept');
      expect(await env.probe.messageCount(env.queues.main)).to.equal(0);
    });
  }

  it('when a poison message carries an id, then its task is reported failed with the reason', async () => {
    const task = await env.waitForTask('poison-action', 'failed');
    expect(task).to.include({ type: 'game', gameId: 1, action: 'explode' });
    expect(task.lastError).to.match(/action/);
    expect((await env.waitForTask('poison-json', 'failed')).lastError).to.match(/not valid JSON/);
  });

  it('never retries poison: every poison message was parked on its first delivery', async () => {
    await waitFor('every poison message to settle', () =>
      consumer.settlements.filter((s) => s.outcome === 'parked').length >= POISON.length
        ? true
        : undefined,
    );
    const parked = consumer.settlements.filter((s) => s.outcome === 'parked');
    expect(parked).to.have.length(POISON.length);
    expect(consumer.settlements.filter((s) => s.outcome === 'retried')).to.have.length(0);
  });
});
