import amqplib from 'amqplib';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { expect } from 'chai';
import { connectBroker } from '../src/amqp.js';
import { assertTopology } from '../src/topology.js';
import type { QueueNames } from '../src/events.js';
import { createLogger } from '../src/logger.js';
import { ReturnTracker, RoutedPublisher, UnroutedError } from '../src/routed-publisher.js';
import { BrokerProbe, TEST_RABBITMQ_URL, testQueues } from '../src/testing/index.js';

const logger = createLogger('routed-publisher-test', 'error');
logger.silent = !process.env.TEST_LOGS; // the "declaring the topology again" warnings are expected

describe('routed publisher', () => {
  let connection: AmqpConnectionManager;
  let publisher: RoutedPublisher;
  let probe: BrokerProbe;
  let queues: QueueNames;
  let setups = 0;

  before(async () => {
    queues = testQueues('routed');
    probe = await BrokerProbe.open();
    connection = connectBroker(TEST_RABBITMQ_URL, logger, 'routed-publisher-test');
    publisher = new RoutedPublisher(connection, {
      name: 'routed-publisher-test',
      confirmTimeoutMs: 5_000,
      logger,
      setup: async (channel) => {
        setups++;
        await assertTopology(channel, queues);
      },
    });
    // the first publish waits for the connection and its setup
    await publisher.sendToQueue(queues.main, Buffer.from('warm-up'));
    await probe.drain(queues.main);
  });
  after(async () => {
    await publisher.close();
    await connection.close();
    await probe.deleteQueues(queues).catch(() => undefined);
    await probe.close();
  });

  it('when a message is published to a declared queue, then the publish resolves and the message is there', async () => {
    await publisher.sendToQueue(queues.main, Buffer.from('{"n":1}'), { messageId: 'normal-1' });

    const [msg, ...rest] = await probe.drain(queues.main);
    expect(rest).to.have.length(0);
    expect(msg!.properties.messageId).to.equal('normal-1');
    expect(msg!.content.toString()).to.equal('{"n":1}');
  });

  it('when the queue was deleted after the publisher connected, then the setup declares it again and the message lands in it', async () => {
    await probe.deleteQueue(queues.main);
    const setupsBefore = setups;

    await publisher.sendToQueue(queues.main, Buffer.from('{"n":2}'), { messageId: 'after-delete' });

    expect(setups).to.equal(setupsBefore + 1);
    expect(await probe.messageCount(queues.main)).to.equal(1); // throws if the queue is missing
    const [msg] = await probe.drain(queues.main);
    expect(msg!.properties.messageId).to.equal('after-delete');
  });

  it('when a message is published to a queue the setup never declares, then it rejects with UnroutedError after one more try and nothing is delivered', async () => {
    const nowhere = `${queues.main}.nowhere`;
    const setupsBefore = setups;

    const error = await publisher
      .sendToQueue(nowhere, Buffer.from('{"n":3}'), { messageId: 'lost-1' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );

    expect(error).to.be.instanceOf(UnroutedError);
    expect(error).to.include({ exchange: '', routingKey: nowhere });
    expect(setups).to.equal(setupsBefore + 1); // declared again once, tried once more
    const missing = await probe.messageCount(nowhere).then(
      () => 'exists',
      (e: Error) => e.message,
    );
    expect(missing).to.match(/NOT_FOUND/);
  });
});

describe('return tracker', () => {
  let model: amqplib.ChannelModel;
  let channel: amqplib.ConfirmChannel;
  let tracker: ReturnTracker;
  let queues: QueueNames;

  before(async () => {
    queues = testQueues('returns');
    model = await amqplib.connect(TEST_RABBITMQ_URL);
    channel = await model.createConfirmChannel();
    await assertTopology(channel, queues);
    tracker = new ReturnTracker();
    tracker.attach(channel);
  });
  after(async () => {
    for (const q of [queues.main, queues.retry, queues.dlq]) await channel.deleteQueue(q);
    await model.close();
  });

  it('when messages come back unrouted, then each return is claimed exactly once by a publish alike, and routed ones claim nothing', async () => {
    const nowhere = `${queues.main}.nowhere`;
    const body = Buffer.from('{"same":"body"}');
    const mandatory = { mandatory: true };
    channel.sendToQueue(nowhere, body, { ...mandatory, messageId: 'twice' });
    channel.sendToQueue(nowhere, body, { ...mandatory, messageId: 'twice' });
    channel.sendToQueue(nowhere, Buffer.from('no id'), mandatory);
    channel.sendToQueue(queues.main, body, { ...mandatory, messageId: 'routed' });
    await channel.waitForConfirms(); // basic.return arrives before the ack of the same message

    expect(tracker.take('', nowhere, body, 'twice')).to.equal(true);
    expect(tracker.take('', nowhere, body, 'twice')).to.equal(true);
    expect(tracker.take('', nowhere, body, 'twice')).to.equal(false);
    expect(tracker.take('', nowhere, Buffer.from('no id'))).to.equal(true); // matched on the body
    expect(tracker.take('', nowhere, Buffer.from('no id'))).to.equal(false);
    expect(tracker.take('', queues.main, body, 'routed')).to.equal(false);
    expect(tracker.take('', queues.main, body, 'twice')).to.equal(false); // other routing key
    expect((await channel.checkQueue(queues.main)).messageCount).to.equal(1);
  });
});
