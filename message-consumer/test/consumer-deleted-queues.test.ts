import amqplib from 'amqplib';
import { retryTierQueue } from '@retro/common';
import { TEST_RABBITMQ_URL } from '@retro/common/testing';
import { expect } from 'chai';
import { ConsumerTestEnv, TEST_RETRY_DELAY_MS, settledAs, type TestConsumer } from './helpers.js';

/** Deletes a queue the way an operator does in the management UI. */
async function deleteQueue(queue: string): Promise<void> {
  const connection = await amqplib.connect(TEST_RABBITMQ_URL);
  try {
    await (await connection.createChannel()).deleteQueue(queue);
  } finally {
    await connection.close();
  }
}

describe('message consumer: queues deleted while it runs', () => {
  let env: ConsumerTestEnv;
  let consumer: TestConsumer;

  before(async () => {
    env = await ConsumerTestEnv.start('consumer_deleted');
    consumer = await env.startConsumer({ RETRY_DELAY_MS: TEST_RETRY_DELAY_MS, MAX_RETRIES: 3 });
  });
  after(() => env?.cleanup());

  it('when the retry tier is gone, then the retry copy comes back unrouted, the tier is declared again and the message completes', async () => {
    await deleteQueue(retryTierQueue(env.queues.main, TEST_RETRY_DELAY_MS));
    const messageId = await env.publishCustom({ simulate: 'transient', failAttempts: 1 });
    const task = await env.waitForTask(messageId, 'completed');
    expect(task.attempts).to.equal(2);
    const outcomes = (await settledAs(consumer, messageId, 'completed')).map((s) => s.outcome);
    expect(outcomes).to.deep.equal(['retried', 'completed']);
  });

  it('when the DLQ is gone, then the poison message is parked in a DLQ declared again and its task fails', async () => {
    await deleteQueue(env.queues.dlq);
    const messageId = await env.publishCustom({ simulate: 'permanent' });
    const task = await env.waitForTask(messageId, 'failed');
    expect(task.lastError).to.equal('simulated permanent failure');
    await settledAs(consumer, messageId, 'parked');
    const parked = await env.probe.drain(env.queues.dlq);
    expect(parked.map((m) => m.properties.messageId)).to.deep.equal([messageId]);
  });
});
