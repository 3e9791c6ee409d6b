import type { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import {
  type Logger,
  type QueueNames,
  RoutedPublisher,
  assertTopology,
  closeServer,
  connectBroker,
  createLogger,
  internalApiHost,
  listen,
  serverLimits,
  queueNames,
  retryTierQueue,
  retryTiers,
  type TopologyOptions,
} from '@retro/common';
import { type ConsumerConfig, type ConsumerConfigInput, loadConsumerConfig } from './config.js';
import { createBackendClient } from './data-access/backend-client.js';
import { JourneyNotes } from './domain/journey-notes.js';
import { copyPublisher } from './data-access/message-copies.js';
import { CircuitBreaker } from './domain/circuit-breaker.js';
import type { Settlement } from './domain/delivery.js';
import { SettlementPolicy } from './domain/settlement.js';
import { createHttpServer } from './entry-points/http-server.js';
import { Subscriber } from './entry-points/subscriber.js';
import { type Metrics, createMetrics } from './metrics.js';

export type { Settlement } from './domain/delivery.js';
export type { ConsumerConfigInput } from './config.js';

export interface SubscriberEvents {
  settled: [Settlement];
}

export interface ConsumerOptions {
  /** Env-style settings on top of the environment (tests pass their own). */
  config?: ConsumerConfigInput;
  /** Settings already loaded and validated (`main.ts` loads them once); `config` is then unused. */
  settings?: ConsumerConfig;
  /** Queue names; defaults to `game_events`, `.retry` (and its tiers) and `.dlq`. */
  queues?: QueueNames;
  /** How long `stop()` lets in-flight messages finish before closing the channel. */
  shutdownGraceMs?: number;
  /** How long a retry or park copy may wait for the broker's confirm (default 10 s). */
  copyConfirmTimeoutMs?: number;
  /** Longest wait between two probes of the backend while the circuit is open (default 5 s). */
  probeMaxDelayMs?: number;
  /**
   * Interface of the health server. By default all, or only 127.0.0.1 while INTERNAL_API_TOKEN
   * is the development token; a host given here is used as given.
   */
  host?: string;
  logger?: Logger;
}

export interface RunningConsumer {
  /** Port of the health/metrics server. */
  port: number;
  /** Its address: 127.0.0.1, or `::`/`0.0.0.0` for all interfaces. */
  address: string;
  /** Emits `settled` once per delivery, after the broker has been told the outcome. */
  events: EventEmitter<SubscriberEvents>;
  /** Connected and subscribed, as `/health` reports it. */
  isConsuming(): boolean;
  stop(): Promise<void>;
}

/**
 * Deliveries one game may hold at once (one running, the rest waiting): half the prefetch, at
 * least two. A flooding game can never take more than half the slots from the other games, while
 * an ordinary burst of one game's edits stays held, and so in order.
 */
export const keyLimit = (prefetch: number) => Math.max(2, Math.ceil(prefetch / 2));

/** Connects, subscribes and serves `/health`, `/ready` and `/metrics`. Validates config first. */
export async function startConsumer(options: ConsumerOptions = {}): Promise<RunningConsumer> {
  const config = options.settings ?? loadConsumerConfig(options.config);
  const logger = options.logger ?? createLogger('message-consumer', config.LOG_LEVEL);
  const queues = options.queues ?? queueNames();
  const metrics = createMetrics();
  const topology: TopologyOptions = {
    queueType: config.QUEUE_TYPE,
    retryTiers: retryTiers(config.RETRY_DELAY_MS),
  };
  const consuming = connectBroker(config.RABBITMQ_URL, logger, 'message-consumer');
  const publishing = connectBroker(config.RABBITMQ_URL, logger, 'message-consumer-publish');
  const publisher = new RoutedPublisher(publishing, {
    name: 'message-consumer-copies',
    logger,
    confirmTimeoutMs: options.copyConfirmTimeoutMs ?? 10_000,
    setup: (channel) => assertTopology(channel, queues, topology),
  });
  // names this consumer in the journeys' steps
  const journey =
    config.JOURNEY_ENABLED === 'true'
      ? new JourneyNotes(`${hostname()}:${process.pid}`)
      : undefined;
  const backend = createBackendClient({
    baseUrl: config.BACKEND_URL,
    token: config.INTERNAL_API_TOKEN,
    journey,
    logger,
  });
  const breaker = new CircuitBreaker({
    probe: () => backend.probe(),
    maxDelayMs: options.probeMaxDelayMs ?? 5000,
  });
  const policy = new SettlementPolicy({
    queues,
    backend,
    breaker,
    publishCopy: copyPublisher(publisher),
    metrics,
    logger,
    maxRetries: config.MAX_RETRIES,
    retryDelayMs: config.RETRY_DELAY_MS,
    processingDelayMs: config.PROCESSING_DELAY_MS,
    keyLimit: keyLimit(config.PREFETCH),
    journey,
  });
  const subscriber = new Subscriber({
    connection: consuming,
    queues,
    topology,
    logger,
    prefetch: config.PREFETCH,
    handle: (delivery) => policy.handle(delivery),
    onAck: () => metrics.acked.inc(),
  });
  pauseWhileBackendIsAway(breaker, subscriber, metrics, logger);
  subscriber.start();

  const server = createHttpServer(
    {
      brokerConnected: () => consuming.isConnected(),
      consuming: () => subscriber.consuming,
      inFlight: () => subscriber.inFlightCount,
      circuit: () => breaker.trip,
    },
    metrics.registry,
    logger,
    serverLimits(config),
  );
  const shutdown = async (graceMs: number) => {
    await subscriber.stop(
      graceMs,
      () => policy.beginStop(),
      () => policy.abortWaits(),
    );
    await breaker.stop();
    await publisher.close();
    await Promise.all([consuming.close(), publishing.close()]);
    backend.close();
  };
  let port: number;
  try {
    const host = internalApiHost(config.INTERNAL_API_TOKEN, options.host, logger);
    port = await listen(server, config.CONSUMER_PORT, host);
  } catch (error) {
    await shutdown(0);
    throw error;
  }
  const { address } = server.address() as AddressInfo;
  logger.info('consumer started', { address, ...describeStart(config, port, queues) });

  let stopped: Promise<void> | undefined;
  return {
    port,
    address,
    events: policy,
    isConsuming: () => subscriber.consuming,
    stop() {
      stopped ??= (async () => {
        await shutdown(options.shutdownGraceMs ?? 15_000);
        await closeServer(server, 1000);
      })();
      return stopped;
    },
  };
}

/** The circuit breaker pauses consuming while open and resumes it when it closes. */
function pauseWhileBackendIsAway(
  breaker: CircuitBreaker,
  subscriber: Subscriber,
  metrics: Metrics,
  logger: Logger,
): void {
  breaker.on('open', (trip) => {
    metrics.circuitOpen.set(1);
    metrics.circuitOpened.inc({ cause: trip.cause });
    const details = { cause: trip.cause, reason: trip.reason };
    if (trip.cause === 'unauthorized') {
      logger.error(
        'the backend refused the internal token: INTERNAL_API_TOKEN must be the same on the backend and every consumer; consuming paused',
        details,
      );
    } else logger.warn('backend cannot take status reports; consuming paused', details);
    void subscriber.pause();
  });
  breaker.on('close', () => {
    metrics.circuitOpen.set(0);
    logger.info('backend answers again; consuming resumed');
    void subscriber.resume();
  });
}

function describeStart(config: ConsumerConfig, port: number, queues: QueueNames) {
  return {
    port,
    queue: queues.main,
    queueType: config.QUEUE_TYPE,
    retryTiers: retryTiers(config.RETRY_DELAY_MS).map((tier) => retryTierQueue(queues.main, tier)),
    prefetch: config.PREFETCH,
    keyLimit: keyLimit(config.PREFETCH),
  };
}
