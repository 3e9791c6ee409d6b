import { TEST_RABBITMQ_URL, waitFor } from '@retro/common/testing';
import amqplib from 'amqplib';
import { expect } from 'chai';
import { type ProducerTestEnv, startProducerTestEnv } from './helpers.js';

/** Small enough to run out in a test; the real queues carry 100 (QUORUM_DELIVERY_LIMIT). */
const LIMIT = 3;

/**
 * Messages the broker dead-letters by itself reach the DLQ without the consumer's `x-error`. Each
 * case here has a queue of the test's own that dead-letters into the test's DLQ, makes the broker
 * dead-letter one message, and reads the reason the archive gives it.
 */
describe('message producer: messages the broker dead-lettered, in the archive', function () {
  this.timeout(60_000);
  let h: ProducerTestEnv;
  let connection: amqplib.ChannelModel;
  let channel: amqplib.ConfirmChannel;
  const owned: string[] = [];

  before(async () => {
    h = await startProducerTestEnv('producer_broker_dead_letters');
    connection = await amqplib.connect(TEST_RABBITMQ_URL);
    channel = await connection.createConfirmChannel();
  });
  after(async () => {
    for (const queue of owned) await h?.probe.deleteQueue(queue).catch(() => undefined);
    await connection?.close().catch(() => undefined);
    await h?.cleanup();
  });

  /** A queue of the test's own dead-lettering into the DLQ, with `args` on top. */
  async function deadLettering(suffix: string, args: Record<string, unknown>): Promise<string> {
    const queue = `${h.queues.main}.${suffix}`;
    owned.push(queue);
    await channel.assertQueue(queue, {
      durable: true,
      arguments: {
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': h.queues.dlq,
        ...args,
      },
    });
    return queue;
  }

  async function publish(queue: string, messageId: string, options: amqplib.Options.Publish = {}) {
    channel.sendToQueue(
      queue,
      Buffer.from(JSON.stringify({ type: 'custom', message: messageId })),
      {
        persistent: true,
        contentType: 'application/json',
        messageId,
        ...options,
      },
    );
    await channel.waitForConfirms();
  }

  /** The archived row of `messageId`, once the archiver has stored it. */
  async function archivedReason(messageId: string): Promise<string> {
    const [row] = await waitFor(`${messageId} in the archive`, async () => {
      const { body } = await h.get(`/api/dead-letters?messageId=${messageId}`);
      return Array.isArray(body) && body.length > 0 ? body : undefined;
    });
    return row.reason;
  }

  it(`when a message on a quorum queue with a delivery limit of ${LIMIT} is handed back until the broker dead-letters it, then the archive says so with the queue`, async () => {
    const queue = await deadLettering('limited', {
      'x-queue-type': 'quorum',
      'x-delivery-limit': LIMIT,
    });
    await publish(queue, 'handed-back');

    // what a consumer does each time the backend goes away: nack with requeue (a hand-back)
    let handBacks = 0;
    await waitFor(
      'the broker to dead-letter the message',
      async () => {
        const msg = await channel.get(queue, { noAck: false });
        if (!msg) return (await h.probe.messageCount(queue)) === 0 && handBacks > 0;
        channel.nack(msg, false, true);
        handBacks += 1;
        return false;
      },
      { intervalMs: 20 },
    );

    const reason = await archivedReason('handed-back');
    expect(reason).to.match(
      new RegExp(`^dead-lettered by the broker: delivery limit reached on ${queue}\\b`),
    );
    expect(reason).to.match(/\(count 1\)$/);
    expect(handBacks).to.equal(LIMIT + 1);
    const [row] = (await h.get('/api/dead-letters?messageId=handed-back')).body;
    const { body } = await h.get(`/api/dead-letters/${row.id}`);
    const death = body.headers['x-death'][0];
    expect(death).to.include({ reason: 'delivery_limit', queue, count: 1 });
  });

  it('when a message expires on a queue with a TTL, then the archive says its TTL expired there', async () => {
    const queue = await deadLettering('ttl', { 'x-message-ttl': 50 });
    await publish(queue, 'expired');
    expect(await archivedReason('expired')).to.equal(
      `dead-lettered by the broker: message TTL expired on ${queue} (count 1)`,
    );
  });

  it('when a message is rejected without requeue, then the archive says it was rejected there', async () => {
    const queue = await deadLettering('rejecting', {});
    await publish(queue, 'rejected');
    const msg = await waitFor('the message', async () => (await channel.get(queue)) || undefined);
    channel.nack(msg, false, false);
    expect(await archivedReason('rejected')).to.equal(
      `dead-lettered by the broker: rejected without requeue on ${queue} (count 1)`,
    );
  });

  it('when a full queue drops its oldest message, then the archive says the length limit was reached', async () => {
    const queue = await deadLettering('short', { 'x-max-length': 1 });
    await publish(queue, 'pushed-out');
    await publish(queue, 'pushed-in');
    expect(await archivedReason('pushed-out')).to.equal(
      `dead-lettered by the broker: queue length limit reached on ${queue} (count 1)`,
    );
  });

  it('when one message went round a TTL queue and was then rejected, then the archive gives the latest dead-lettering', async () => {
    // a retry tier's copy comes back by TTL and carries that record into the main queue
    const main = await deadLettering('main-again', {});
    const tier = `${h.queues.main}.tier`;
    owned.push(tier);
    await channel.assertQueue(tier, {
      durable: true,
      arguments: {
        'x-message-ttl': 50,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': main,
      },
    });
    await publish(tier, 'round-trip');
    const msg = await waitFor('the copy back from its tier', async () => {
      return (await channel.get(main)) || undefined;
    });
    expect(msg.properties.headers?.['x-first-death-reason']).to.equal('expired');
    channel.nack(msg, false, false);
    expect(await archivedReason('round-trip')).to.equal(
      `dead-lettered by the broker: rejected without requeue on ${main} (count 1)`,
    );
  });
});
