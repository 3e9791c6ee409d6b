import amqplib from 'amqplib';
import { expect } from 'chai';
import type { QueueNames } from '../src/events.js';
import { retryTierQueue, retryTiers } from '../src/retry-tiers.js';
import { BrokerProbe, TEST_RABBITMQ_URL, testQueues, waitFor } from '../src/testing/index.js';
import {
  QUORUM_DELIVERY_LIMIT,
  type TopologyOptions,
  assertTopology,
  queueArguments,
} from '../src/topology.js';

const BASE_MS = 50;

/** Declares on a channel of its own; resolves with the broker's refusal, if any. */
async function declare(
  connection: amqplib.ChannelModel,
  run: (channel: amqplib.Channel) => Promise<unknown>,
): Promise<string | null> {
  const channel = await connection.createChannel();
  channel.on('error', () => undefined);
  try {
    await run(channel);
    await channel.close();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

for (const queueType of ['classic', 'quorum'] as const) {
  describe(`topology with QUEUE_TYPE=${queueType}`, () => {
    const options: TopologyOptions = { queueType, retryTiers: retryTiers(BASE_MS) };
    let queues: QueueNames;
    let connection: amqplib.ChannelModel;
    let probe: BrokerProbe;

    before(async () => {
      queues = testQueues(`topology_${queueType}`);
      connection = await amqplib.connect(TEST_RABBITMQ_URL);
      connection.on('error', () => undefined);
      probe = await BrokerProbe.open();
      expect(await declare(connection, (ch) => assertTopology(ch, queues, options))).to.equal(null);
    });
    after(async () => {
      await probe.deleteQueues(queues, [BASE_MS]).catch(() => undefined);
      await probe.close();
      await connection.close().catch(() => undefined);
    });

    it('is declared again by another service without a conflict (same arguments everywhere)', async () => {
      expect(await declare(connection, (ch) => assertTopology(ch, queues, options))).to.equal(null);
    });

    it('declares one retry queue per tier, each with its own queue TTL', () => {
      const tiers = queueArguments(queues, options).filter((q) => /\.retry\.\d/.test(q.queue));
      expect(tiers.map((q) => q.queue)).to.deep.equal(
        retryTiers(BASE_MS).map((tier) => retryTierQueue(queues.main, tier)),
      );
      for (const [i, tier] of retryTiers(BASE_MS).entries()) {
        expect(tiers[i]!.arguments).to.include({
          'x-message-ttl': tier,
          'x-dead-letter-exchange': '',
          'x-dead-letter-routing-key': queues.main,
        });
      }
    });

    it('brings a message back from its tier to the main queue once the tier TTL has passed', async () => {
      await probe.publish(retryTierQueue(queues.main, BASE_MS), '{"back":true}', {
        messageId: 'tier-back',
        persistent: true,
      });
      const [back] = await waitFor('the message back in the main queue', async () => {
        const got = await probe.drain(queues.main);
        return got.length > 0 ? got : undefined;
      });
      expect(back!.properties.messageId).to.equal('tier-back');
      expect(back!.properties.headers?.['x-first-death-reason']).to.equal('expired');
    });

    if (queueType === 'classic') {
      it("lets the original catalog's clients declare the main queue plain-durable", async () => {
        const refusal = await declare(connection, (ch) =>
          ch.assertQueue(queues.main, { durable: true }),
        );
        expect(refusal).to.equal(null);
      });

      it('keeps the single retry queue of earlier versions, so what waits in it still comes back', async () => {
        await probe.publish(queues.retry, '{"old":true}', { expiration: '50', messageId: 'old' });
        const [back] = await waitFor('the old retry copy back in the main queue', async () => {
          const got = await probe.drain(queues.main);
          return got.length > 0 ? got : undefined;
        });
        expect(back!.properties.messageId).to.equal('old');
      });
    } else {
      it('declares every queue as a quorum queue: a plain classic declaration is refused', async () => {
        for (const queue of [queues.main, retryTierQueue(queues.main, BASE_MS), queues.dlq]) {
          const refusal = await declare(connection, (ch) =>
            ch.assertQueue(queue, { durable: true }),
          );
          expect(refusal, queue).to.match(/PRECONDITION_FAILED - inequivalent arg/);
        }
      });

      it('does not declare the old single retry queue', async () => {
        const refusal = await declare(connection, (ch) => ch.checkQueue(queues.retry));
        expect(refusal).to.match(/NOT_FOUND/);
      });

      it('dead-letters a message redelivered past the delivery limit to the DLQ instead of dropping it', async () => {
        await probe.publish(queues.main, '{"crashes":"every consumer"}', {
          messageId: 'too-often',
          persistent: true,
        });
        const channel = await connection.createChannel();
        try {
          for (let i = 0; i <= QUORUM_DELIVERY_LIMIT; i++) {
            const msg = await waitFor(
              'the message to be delivered',
              async () => (await channel.get(queues.main, { noAck: false })) || undefined,
            );
            channel.nack(msg, false, true); // what a consumer that dies holding it amounts to
          }
        } finally {
          await channel.close();
        }
        const [parked] = await waitFor('the message in the DLQ', async () => {
          const got = await probe.drain(queues.dlq);
          return got.length > 0 ? got : undefined;
        });
        expect(parked!.properties.messageId).to.equal('too-often');
        expect(parked!.properties.headers?.['x-first-death-reason']).to.equal('delivery_limit');
        expect(await probe.messageCount(queues.main)).to.equal(0);
      });
    }
  });
}
