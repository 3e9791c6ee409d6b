import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import {
  type Logger,
  type QueueNames,
  accessSettings,
  closeServer,
  createLimitedServer,
  createLogger,
  listen,
  queueNames,
  retryTiers,
  serverLimits,
  serviceAccess,
} from '@retro/common';
import { createPool, dbSettings } from '@retro/database';
import { DEFAULT_PUBLIC_DIR, createApp } from './app.js';
import { type ProducerConfig, type ProducerConfigInput, loadProducerConfig } from './config.js';
import { archiveSize } from './data-access/archive-reads.js';
import type { ArchiveOutcome } from './data-access/archive-writes.js';
import { Broker } from './data-access/broker.js';
import { databaseReachable } from './data-access/db.js';
import type { QuarantineOutcome } from './domain/archive-batch.js';
import { BulkJobs } from './domain/bulk-jobs.js';
import { ChangeLog } from './domain/change-log.js';
import { DeadLetterConsole } from './domain/dead-letter-console.js';
import { DeadLetterDeletes } from './domain/dead-letter-deletes.js';
import { MessageIdCheck } from './domain/message-ids.js';
import { ParkedMessages } from './domain/parked-messages.js';
import { Publisher } from './domain/publisher.js';
import { ReplayJobs } from './domain/replay-jobs.js';
import { producerAccess } from './entry-points/access-table.js';
import { ArchivePurge } from './entry-points/archive-purge.js';
import { type DlqArchiverOptions, DlqArchiver } from './entry-points/dlq-archiver.js';
import { TOP_GROUPS, createMetrics, watchArchive } from './metrics.js';

export { loadProducerConfig, type ProducerConfigInput } from './config.js';
export { messageTemplates, type MessageTemplate } from './domain/templates.js';
export { PRODUCER_ROUTES } from './entry-points/access-table.js';

export interface ProducerOptions {
  /** Env-style settings; missing keys come from the environment and the defaults. */
  config?: ProducerConfigInput;
  /** Settings already loaded and validated (`main.ts` loads them once); `config` is then unused. */
  settings?: ProducerConfig;
  /** Queue names; tests pass their own. Defaults to `game_events`, `.retry` (and its tiers), `.dlq`. */
  queues?: QueueNames;
  /** Requests per window and client on `/api`, false = off; wins over RATE_LIMIT_PER_MINUTE. */
  rateLimit?: { windowMs: number; limit: number } | false;
  /** How long a publish waits for the broker's confirm before answering 503. */
  publishTimeoutMs?: number;
  /** Tuning of the DLQ archiver (prefetch, batch size, ...); tests make it quicker. */
  archiver?: Partial<
    Pick<DlqArchiverOptions, 'prefetch' | 'batchSize' | 'lingerMs' | 'schemaPollMs'>
  >;
  /** The pages' Vite build (`producer/index.html`, `assets/`); frontend/dist by default. */
  publicDir?: string;
  /** Interface to listen on; wins over HOST (default 127.0.0.1: this machine only). */
  host?: string;
  logger?: Logger;
}

export interface RunningProducer {
  port: number;
  url: string;
  /** The address it listens on (HOST). */
  address: string;
  /** Emits `archived` after each batch it stored, `quarantined` per record refused (tests wait for them). */
  archiver: DlqArchiver;
  /** Removes deleted and expired dead letters and old audit entries (tests call `runOnce`). */
  purge: ArchivePurge;
  /** The Express app (its route table: the OpenAPI test checks every route is documented). */
  app: Express;
  stop(): Promise<void>;
}

/**
 * Starts the producer: HTTP API and page on PRODUCER_PORT. It starts without the broker too:
 * publishes answer 503 until the connection is up.
 */
export async function startProducer(options: ProducerOptions = {}): Promise<RunningProducer> {
  const config = options.settings ?? loadProducerConfig(options.config);
  const logger = options.logger ?? createLogger('message-producer', config.LOG_LEVEL);
  const publicDir = options.publicDir ?? DEFAULT_PUBLIC_DIR;
  if (!existsSync(join(publicDir, 'producer', 'index.html'))) {
    logger.warn('page not built; run `npm run build -w @retro/frontend`', { publicDir });
  }

  const metrics = createMetrics();
  const broker = new Broker({
    url: config.RABBITMQ_URL,
    queues: options.queues ?? queueNames(),
    topology: { queueType: config.QUEUE_TYPE, retryTiers: retryTiers(config.RETRY_DELAY_MS) },
    logger,
    publishTimeoutMs: options.publishTimeoutMs ?? 5_000,
  });
  const publisher = new Publisher(broker, metrics);
  const bulkJobs = new BulkJobs(publisher, logger);
  // the archive lives in the catalog database; the backend's migrations create its tables
  const pool = createPool(dbSettings(config), 10);
  const archiver = new DlqArchiver({
    ...options.archiver,
    url: config.RABBITMQ_URL,
    queues: broker.queues,
    topology: broker.topology,
    pool,
    logger,
  });
  archiver.on('archived', ({ stored }: ArchiveOutcome) => {
    for (const record of stored) metrics.archived.inc({ type: record.type });
  });
  archiver.on('quarantined', ({ stored }: QuarantineOutcome) => {
    if (stored) metrics.quarantined.inc();
  });
  archiver.on('failed', () => metrics.archiveFailures.inc());
  const replayJobs = new ReplayJobs({ pool, broker, metrics, logger });
  const changes = new ChangeLog(pool, logger);
  const deadLetters = new DeadLetterConsole({
    pool,
    broker,
    jobs: replayJobs,
    metrics,
    changes,
    logger,
  });
  const deletes = new DeadLetterDeletes({ pool, metrics, changes });
  const purge = new ArchivePurge({
    pool,
    logger,
    retentionMs: config.DELETED_DEAD_LETTER_RETENTION_MS,
    archiveRetentionMs: config.DEAD_LETTER_RETENTION_MS,
    auditRetentionMs: config.AUDIT_RETENTION_MS,
    intervalMs: config.HOUSEKEEPING_INTERVAL_MS,
    onPurged: (rows) => metrics.purged.inc(rows),
    onPruned: (table, rows) => metrics.pruned.inc({ table }, rows),
  });
  watchArchive(metrics.registry, {
    size: () => archiveSize(pool, TOP_GROUPS),
    runningJobs: () => replayJobs.runningCount,
    pendingReplays: () => replayJobs.pendingMessages(),
  });
  const app = createApp({
    logger,
    broker,
    publisher,
    bulkJobs,
    parked: new ParkedMessages(pool, deadLetters, broker.queues.dlq),
    deadLetters,
    deletes,
    replayJobs,
    changes,
    access: serviceAccess(
      'message-producer',
      producerAccess,
      pool,
      metrics.registry,
      accessSettings(config),
    ),
    archive: {
      database: async () => ((await databaseReachable(pool)) ? 'up' : 'down'),
      archiver: () => (archiver.ready ? 'archiving' : 'waiting'),
    },
    messageIds: new MessageIdCheck({ url: config.BACKEND_URL, token: config.INTERNAL_API_TOKEN }),
    metrics,
    maxRetries: config.MAX_RETRIES,
    frontendPort: config.FRONTEND_PORT,
    links: {
      catalogUrl: config.CATALOG_PUBLIC_URL,
      rabbitmqManagementUrl: config.RABBITMQ_MANAGEMENT_URL,
    },
    publicDir,
    rateLimit:
      options.rateLimit ??
      (config.RATE_LIMIT_PER_MINUTE > 0 && {
        windowMs: 60_000,
        limit: config.RATE_LIMIT_PER_MINUTE,
      }),
    trustProxy: config.TRUST_PROXY,
  });

  const server = createLimitedServer(app, serverLimits(config));
  let port: number;
  try {
    port = await listen(server, config.PRODUCER_PORT, options.host ?? config.HOST);
  } catch (error) {
    await broker.close();
    await pool.end();
    throw error;
  }
  const { address } = server.address() as AddressInfo;
  archiver.start();
  purge.start();
  logger.info('message producer listening', { address, port });

  return {
    port,
    address,
    url: `http://127.0.0.1:${port}`,
    archiver,
    purge,
    app,
    async stop() {
      await closeServer(server);
      await purge.stop();
      await archiver.stop();
      await Promise.all([bulkJobs.stop(), replayJobs.stop()]);
      await broker.close();
      await pool.end();
    },
  };
}
