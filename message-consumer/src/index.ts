import type { EventEmitter } from 'node:events';
import {
  type Logger,
  type QueueNames,
  closeServer,
  connectBroker,
  createLogger,
  listen,
  queueNames,
} from '@retro/common';
import { type ConsumerConfigInput, loadConsumerConfig } from './config.js';
import { createBackendClient } from './data-access/backend-client.js';
import { createHttpServer } from './entry-points/http-server.js';
import { Subscriber, type SubscriberEvents } from './entry-points/subscriber.js';
import { createMetrics } from './metrics.js';

export type { Settlement, SubscriberEvents } from './entry-points/subscriber.js';
export type { ConsumerConfigInput } from './config.js';

export interface ConsumerOptions {
  /** Env-style settings on top of the environment (tests pass their own). */
  config?: ConsumerConfigInput;
  /** Queue names; defaults to `game_events`, `.retry` and `.dlq`. */
  queues?: QueueNames;
  /** How long `stop()` lets in-flight messages finish before closing the channel. */
  shutdownGraceMs?: number;
  logger?: Logger;
}

export interface RunningConsumer {
  /** Port of the health/metrics server. */
  port: number;
  /** Emits `settled` once per delivery, after the broker has been told the outcome. */
  events: EventEmitter<SubscriberEvents>;
  /** Connected and subscribed, as `/health` reports it. */
  isConsuming(): boolean;
  stop(): Promise<void>;
}

/** Connects, subscribes and serves `/health` and `/metrics`. Validates config before anything. */
export async function startConsumer(options: ConsumerOptions = {}): Promise<RunningConsumer> {
  const config = loadConsumerConfig(options.config);
  const logger = options.logger ?? createLogger('message-consumer', config.LOG_LEVEL);
  const queues = options.queues ?? queueNames();
  const metrics = createMetrics();
  const connection = connectBroker(config.RABBITMQ_URL, logger, 'message-consumer');
  const backend = createBackendClient({
    baseUrl: config.BACKEND_URL,
    token: config.INTERNAL_API_TOKEN,
    logger,
  });
  const subscriber = new Subscriber({
    connection,
    queues,
    metrics,
    logger,
    backend,
    prefetch: config.PREFETCH,
    maxRetries: config.MAX_RETRIES,
    retryDelayMs: config.RETRY_DELAY_MS,
    processingDelayMs: config.PROCESSING_DELAY_MS,
  });
  subscriber.start();

  const server = createHttpServer(
    {
      brokerConnected: () => connection.isConnected(),
      consuming: () => subscriber.consuming,
      inFlight: () => subscriber.inFlightCount,
    },
    metrics.registry,
    logger,
  );
  let port: number;
  try {
    port = await listen(server, config.CONSUMER_PORT);
  } catch (error) {
    await subscriber.stop(0);
    await connection.close();
    backend.close();
    throw error;
  }
  logger.info('consumer started', { port, queue: queues.main, prefetch: config.PREFETCH });

  let stopped: Promise<void> | undefined;
  return {
    port,
    events: subscriber,
    isConsuming: () => subscriber.consuming,
    stop() {
      stopped ??= (async () => {
        await subscriber.stop(options.shutdownGraceMs ?? 15_000);
        await connection.close();
        backend.close();
        await closeServer(server, 1000);
      })();
      return stopped;
    },
  };
}
