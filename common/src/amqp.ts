import amqp, { type AmqpConnectionManager } from 'amqp-connection-manager';
import { brokerUrls, redactUrl } from './broker-urls.js';
import type { QueueNames } from './events.js';
import type { Logger } from './logger.js';
import { RoutedPublisher } from './routed-publisher.js';
import { type TopologyOptions, assertTopology } from './topology.js';

/** How long one connection attempt may take before the next node is tried. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * A connection that reconnects by itself and logs each change of state once. With several node
 * URLs it tries them in turn: when the node it is on goes away it connects to the next one
 * (round robin, a second apart), and the channels' setup functions declare the topology again on
 * whichever node it reaches.
 */
export function connectBroker(
  url: string | readonly string[],
  logger: Logger,
  name: string,
): AmqpConnectionManager {
  const urls = brokerUrls(url);
  if (urls.length === 0) throw new Error('no broker URL given');
  const connection = amqp.connect(urls, {
    heartbeatIntervalInSeconds: 5,
    reconnectTimeInSeconds: 1,
    connectionOptions: {
      // a node that does not answer at all (not just refuses) must not hold up the next one
      timeout: CONNECT_TIMEOUT_MS,
      clientProperties: { connection_name: name },
    },
  });
  const where = (connected: unknown) =>
    typeof connected === 'string' ? redactUrl(connected) : undefined;
  connection.on('connect', ({ url: connected }) =>
    logger.info('broker connected', { broker: where(connected), nodes: urls.length }),
  );
  connection.on('disconnect', ({ err }) =>
    logger.warn('broker disconnected', { reason: err?.message }),
  );
  connection.on('connectFailed', ({ err, url: attempted }) =>
    logger.debug('broker connection attempt failed', {
      broker: where(attempted),
      reason: err?.message,
    }),
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
  options: {
    name: string;
    logger: Logger;
    confirmTimeoutMs?: number;
    topology?: TopologyOptions;
  },
): RoutedPublisher {
  return new RoutedPublisher(connection, {
    name: options.name,
    logger: options.logger,
    confirmTimeoutMs: options.confirmTimeoutMs ?? 10_000,
    setup: (channel) => assertTopology(channel, queues, options.topology),
  });
}
