import amqp, { type AmqpConnectionManager } from 'amqp-connection-manager';
import type { Channel, ConfirmChannel } from 'amqplib';
import type { QueueNames } from './events.js';
import type { Logger } from './logger.js';
import { RoutedPublisher } from './routed-publisher.js';

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

/**
 * A publisher whose every publish is confirmed and `mandatory`, on a channel that declares the
 * topology on every (re)connect and again when a message comes back unrouted.
 */
export function createTopologyPublisher(
  connection: AmqpConnectionManager,
  queues: QueueNames,
  options: { name: string; logger: Logger; confirmTimeoutMs?: number },
): RoutedPublisher {
  return new RoutedPublisher(connection, {
    name: options.name,
    logger: options.logger,
    confirmTimeoutMs: options.confirmTimeoutMs ?? 10_000,
    setup: (channel) => assertTopology(channel, queues),
  });
}
