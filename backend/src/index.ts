import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import {
  accessSettings,
  serviceAccess,
  closeServer,
  connectBroker,
  createLimitedServer,
  createLogger,
  createTopologyPublisher,
  InFlightRequests,
  listen,
  type Logger,
  queueNames,
  type QueueNames,
  serverLimits,
} from '@retro/common';
import { createPool, dbSettings } from '@retro/database';
import { Alerting } from './alerts/alerting.js';
import { registerAlertMetrics } from './alerts/alert-metrics.js';
import { probedQueues } from './alerts/queue-probe.js';
import { FlowSampler } from './flow/flow-sampler.js';
import { createApp } from './app.js';
import { backendAccess } from './entry-points/http/access-table.js';
import { loadBackendConfig, type BackendConfig, type BackendConfigInput } from './config.js';
import type { DomainContext } from './domain/context.js';
import { CatalogNames } from './data-access/catalog-names.js';
import { createMetrics } from './metrics.js';
import { Housekeeping } from './housekeeping/housekeeping.js';
import { failDeadLetteredTasks } from './domain/dead-lettered-tasks.js';
import { createLiveTasks } from './live/index.js';
import { OutboxRelay } from './relay/outbox-relay.js';
import type { FeedSettings } from './task-feed.js';

export { loadBackendConfig, type BackendConfig, type BackendConfigInput } from './config.js';
export { BACKEND_ROUTES } from './entry-points/http/access-table.js';

export interface BackendOptions {
  /** Env-style settings that take precedence over the environment. */
  config?: BackendConfigInput;
  /** Settings already loaded and validated (`main.ts` loads them once); `config` is then unused. */
  settings?: BackendConfig;
  /** Queue names; tests pass their own. */
  queues?: QueueNames;
  /** Requests per minute per client on the public API, 0 = off; wins over RATE_LIMIT_PER_MINUTE. */
  rateLimitPerMinute?: number;
  /** Relay poll interval when idle (default 500 ms). */
  relayPollIntervalMs?: number;
  /** Database pool size (default 20). */
  poolSize?: number;
  /** Interface to bind; wins over HOST (127.0.0.1 by default). */
  host?: string;
  logger?: Logger;
  /**
   * The fanout exchange through which instances tell each other their task changes (default
   * `task_changes`; with own `queues`, `<queues.main>.task_changes`, so test worlds stay apart).
   */
  taskChangesExchange?: string;
  /** Alert loop settings tests shorten (webhook retry delay, tick); the rest is ALERT_* config. */
  alerts?: { webhookBackoffBaseMs?: number; tickMs?: number };
  /** Flow sampling settings tests shorten (interval; history 15 min by default). */
  flow?: { intervalMs?: number; historyMs?: number };
  /** Live stream settings besides the configured caps (defaults in `STREAM_DEFAULTS`). */
  stream?: Partial<Omit<FeedSettings, 'maxClients' | 'maxPerClient'>>;
}

export const STREAM_DEFAULTS = {
  /** A reader with more than this unsent is too slow to keep up, and is disconnected. */
  maxBufferBytes: 1024 * 1024,
  /** A reconnecting viewer that missed more changes than this is told to reload instead. */
  resumeLimit: 5000,
  catchUpIntervalMs: 5000,
  heartbeatMs: 15_000,
};

export interface RunningBackend {
  port: number;
  /** The address listened on: 127.0.0.1, or `::`/`0.0.0.0` for all interfaces. */
  address: string;
  url: string;
  relay: OutboxRelay;
  /** Prunes old outbox rows and finished tasks on its own schedule; `runOnce()` runs it now. */
  housekeeping: Housekeeping;
  /** The built-in alerts: `tick()` runs the lease, the rules and the webhook now. */
  alerting: Alerting;
  /** The flow samples of the processing page's charts: `sample()` takes one now. */
  flow: FlowSampler;
  /** The Express app (its route table: the OpenAPI test checks every route is documented). */
  app: Express;
  stop(): Promise<void>;
}

/** Starts the API and the outbox relay; resolves once listening. The broker may still be away. */
export async function startBackend(options: BackendOptions = {}): Promise<RunningBackend> {
  const config = options.settings ?? loadBackendConfig(options.config);
  const logger = options.logger ?? createLogger('backend', config.LOG_LEVEL);
  const queues = options.queues ?? queueNames();
  // multi-statement queries: the create's transaction is one round trip (domain/games.ts)
  const pool = createPool(dbSettings(config), options.poolSize ?? 20, {
    multipleStatements: true,
  });
  const broker = connectBroker(config.RABBITMQ_URL, logger, 'backend');
  const publisher = createTopologyPublisher(broker, queues, {
    name: 'outbox-relay',
    logger,
    confirmTimeoutMs: 5000,
    topology: { queueType: config.QUEUE_TYPE },
  });
  const metrics = createMetrics(pool, config.TASK_STALLED_AFTER_MS);
  const probed = probedQueues(queues, config.RETRY_DELAY_MS);
  registerAlertMetrics(metrics.registry, pool, broker, probed);
  const alerting = new Alerting({
    pool,
    broker,
    logger,
    queues: probed,
    stalledAfterMs: config.TASK_STALLED_AFTER_MS,
    intervalMs: config.ALERT_EVALUATE_INTERVAL_MS,
    leaseMs: config.ALERT_LEASE_MS,
    webhookUrl: config.ALERT_WEBHOOK_URL,
    linkBase: config.ALERT_LINK_BASE_URL,
    thresholds: {
      stalledTasks: config.ALERT_STALLED_TASKS,
      deadLetters: config.ALERT_DEAD_LETTERS,
      deadLetterWindowMs: config.ALERT_DEAD_LETTER_WINDOW_MS,
      noConsumerAfterMs: config.ALERT_NO_CONSUMER_AFTER_MS,
      outboxOldestAgeMs: config.ALERT_OUTBOX_OLDEST_AGE_MS,
      brokerUnreachableAfterMs: config.ALERT_BROKER_UNREACHABLE_AFTER_MS,
    },
    ...options.alerts,
  });
  const flow = new FlowSampler({ pool, broker, queues: probed, logger, ...options.flow });
  const housekeeping = new Housekeeping({
    pool,
    logger,
    outboxRetentionMs: config.OUTBOX_RETENTION_MS,
    taskRetentionMs: config.TASK_RETENTION_MS,
    auditRetentionMs: config.AUDIT_RETENTION_MS,
    session: { idleMs: config.SESSION_IDLE_MS, maxMs: config.SESSION_MAX_MS },
    intervalMs: config.HOUSEKEEPING_INTERVAL_MS,
    failDeadLettered: () => failDeadLetteredTasks(ctx),
    onPruned: (table, rows) => metrics.rowsPruned.inc({ table }, rows),
  });
  const live = createLiveTasks({
    pool,
    broker,
    logger,
    stalledAfterMs: config.TASK_STALLED_AFTER_MS,
    exchange:
      options.taskChangesExchange ??
      (options.queues ? `${queues.main}.task_changes` : 'task_changes'),
    settings: {
      ...STREAM_DEFAULTS,
      ...options.stream,
      maxClients: config.STREAM_MAX_CLIENTS,
      maxPerClient: config.STREAM_MAX_PER_CLIENT,
    },
    metrics: metrics.stream,
  });
  const relay = new OutboxRelay({
    pool,
    connection: broker,
    publisher,
    queues,
    logger,
    pollIntervalMs: options.relayPollIntervalMs ?? 500,
    recordJourney: config.JOURNEY_ENABLED === 'true',
    onPublished: (n) => metrics.eventsPublished.inc(n),
    onRefused: (n) => metrics.eventsRefused.inc(n),
    onPause: (reason) => metrics.relayPauses.inc({ reason }),
    onMarkFailed: (n) => metrics.markFailures.inc(n),
  });
  const ctx: DomainContext = {
    pool,
    names: new CatalogNames(pool),
    logger,
    stalledAfterMs: config.TASK_STALLED_AFTER_MS,
    recordJourney: config.JOURNEY_ENABLED === 'true',
    eventsWritten: (n) => {
      metrics.eventsWritten.inc(n);
      relay.wake();
    },
    tasksChanged: (tasks) => {
      for (const task of tasks) {
        if (task.status === 'completed') {
          const ms = Date.parse(task.updatedAt) - Date.parse(task.createdAt);
          if (ms >= 0) metrics.endToEnd.observe(ms / 1000);
        }
      }
      live.changes.changed(tasks);
    },
    taskWritten: (messageId) => live.changes.written(messageId),
  };
  const inFlight = new InFlightRequests();
  const app = createApp({
    ctx,
    inFlight,
    feed: live.feed,
    flow,
    metrics,
    broker,
    logger,
    internalToken: config.INTERNAL_API_TOKEN,
    access: serviceAccess('backend', backendAccess, pool, metrics.registry, accessSettings(config)),
    rateLimitPerMinute: options.rateLimitPerMinute ?? config.RATE_LIMIT_PER_MINUTE,
    trustProxy: config.TRUST_PROXY,
  });
  const server = createLimitedServer(app, serverLimits(config));
  const host = options.host ?? config.HOST;
  const port = await listen(server, config.BACKEND_PORT, host);
  const { address } = server.address() as AddressInfo;
  relay.start();
  housekeeping.start();
  alerting.start();
  flow.start();
  logger.info('backend listening', {
    address,
    port,
    queue: queues.main,
    queueType: config.QUEUE_TYPE,
  });

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      live.feed.closeAll();
      await closeServer(server);
      await inFlight.drain();
      await live.close();
      await relay.stop();
      await housekeeping.stop();
      await alerting.stop();
      await flow.stop();
      await publisher.close();
      await broker.close().catch(() => undefined);
      await pool.end();
    })());

  return {
    port,
    address,
    url: `http://127.0.0.1:${port}`,
    relay,
    housekeeping,
    alerting,
    flow,
    app,
    stop,
  };
}
