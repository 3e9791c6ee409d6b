import amqp, { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConfirmChannel } from 'amqplib';
import type { QueueNames } from './events.js';
import type { Logger } from './logger.js';

/**
 * Declares the three queues. Called from a channel's `setup`, so it runs again after every
 * reconnect. `main` gets no extra arguments so that older clients declaring it plain-durable agree.
 */
export async function assertTopology(channel: Channel | ConfirmChannel, queues: QueueNames) {
  await channel.assertQueue(queues.main, { durable: true });
  await channel.assertQueue(queues.retry, {
    durable: true,
    arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queues.main },
  });
  await channel.assertQueue(queues.dlq, { durable: true });
}

/** Where a URL's credentials are hidden, for logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/**
 * A connection that reconnects by itself (every second while the broker is away) and logs each
 * change of state once.
 */
export function connectBroker(url: string, logger: Logger, name: string): AmqpConnectionManager {
  const connection = amqp.connect([url], {
    heartbeatIntervalInSeconds: 5,
    reconnectTimeInSeconds: 1,
    connectionOptions: { clientProperties: { connection_name: name } },
  });
  connection.on('connect', () => logger.info('broker connected', { broker: redactUrl(url) }));
  connection.on('disconnect', ({ err }) =>
    logger.warn('broker disconnected', { reason: err?.message }),
  );
  connection.on('connectFailed', ({ err }) =>
    logger.debug('broker connection attempt failed', { reason: err?.message }),
  );
  connection.on('blocked', ({ reason }) => logger.warn('broker blocked publishing', { reason }));
  connection.on('unblocked', () => logger.info('broker unblocked publishing'));
  return connection;
}

/** A confirm channel that declares the topology on every (re)connect. */
export function createTopologyChannel(
  connection: AmqpConnectionManager,
  queues: QueueNames,
  options: { name: string; publishTimeout?: number },
): ChannelWrapper {
  return connection.createChannel({
    name: options.name,
    confirm: true,
    json: false,
    publishTimeout: options.publishTimeout ?? 10_000,
    setup: (channel: ConfirmChannel) => assertTopology(channel, queues),
  });
}
