import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import {
  type Logger,
  type QueueNames,
  closeServer,
  createLogger,
  listen,
  queueNames,
} from '@retro/common';
import { DEFAULT_PUBLIC_DIR, createApp } from './app.js';
import { type ProducerConfigInput, loadProducerConfig } from './config.js';
import { Broker } from './data-access/broker.js';
import { BulkJobs } from './domain/bulk-jobs.js';
import { DeadLetterDesk } from './domain/dead-letter-desk.js';
import { MessageIdCheck } from './domain/message-ids.js';
import { Publisher } from './domain/publisher.js';
import { ProducerMetrics } from './metrics.js';

export { loadProducerConfig, type ProducerConfigInput } from './config.js';
export { messageTemplates, type MessageTemplate } from './domain/templates.js';

export interface ProducerOptions {
  /** Env-style settings; missing keys come from the environment and the defaults. */
  config?: ProducerConfigInput;
  /** Queue names; tests pass their own. Defaults to `game_events`, `.retry`, `.dlq`. */
  queues?: QueueNames;
  /** Requests per window and client on `/api`, false = off; wins over RATE_LIMIT_PER_MINUTE. */
  rateLimit?: { windowMs: number; limit: number } | false;
  /** How long a publish waits for the broker's confirm before answering 503. */
  publishTimeoutMs?: number;
  /** Directory of the compiled page. */
  publicDir?: string;
  logger?: Logger;
}

export interface RunningProducer {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the producer: HTTP API and page on PRODUCER_PORT. It starts without the broker too:
 * publishes answer 503 until the connection is up.
 */
export async function startProducer(options: ProducerOptions = {}): Promise<RunningProducer> {
  const config = loadProducerConfig(options.config);
  const logger = options.logger ?? createLogger('message-producer', config.LOG_LEVEL);
  const publicDir = options.publicDir ?? DEFAULT_PUBLIC_DIR;
  if (!existsSync(publicDir)) {
    logger.warn('page not built; run `npm run build -w @retro/message-producer`', { publicDir });
  }

  const metrics = new ProducerMetrics();
  const broker = new Broker({
    url: config.RABBITMQ_URL,
    queues: options.queues ?? queueNames(),
    logger,
    publishTimeoutMs: options.publishTimeoutMs ?? 5_000,
  });
  const publisher = new Publisher(broker, metrics);
  const bulkJobs = new BulkJobs(publisher, logger);
  const app = createApp({
    logger,
    broker,
    publisher,
    bulkJobs,
    desk: new DeadLetterDesk(broker, metrics),
    messageIds: new MessageIdCheck(config.BACKEND_URL),
    metrics,
    maxRetries: config.MAX_RETRIES,
    frontendPort: config.FRONTEND_PORT,
    publicDir,
    rateLimit:
      options.rateLimit ??
      (config.RATE_LIMIT_PER_MINUTE > 0 && {
        windowMs: 60_000,
        limit: config.RATE_LIMIT_PER_MINUTE,
      }),
    trustProxy: config.TRUST_PROXY,
  });

  const server = createServer(app);
  let port: number;
  try {
    port = await listen(server, config.PRODUCER_PORT);
  } catch (error) {
    await broker.close();
    throw error;
  }
  logger.info('message producer listening', { port });

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await closeServer(server);
      await bulkJobs.stop();
      await broker.close();
    },
  };
}
