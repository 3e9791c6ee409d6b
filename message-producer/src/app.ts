import { apiDocs } from '@retro/common/api-docs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AppError,
  type Logger,
  type ProducerInfo,
  type TrustProxy,
  errorHandler,
  noQuery,
  notFoundHandler,
  parseQuery,
  requestContext,
  serviceEndpoints,
  type ServiceAccess,
  PUBLISH_REQUEST_MAX_BYTES,
} from '@retro/common';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Broker } from './data-access/broker.js';
import { archiveUnavailable } from './data-access/db.js';
import type { BulkJobs } from './domain/bulk-jobs.js';
import type { ChangeLog } from './domain/change-log.js';
import type { DeadLetterConsole } from './domain/dead-letter-console.js';
import type { DeadLetterDeletes } from './domain/dead-letter-deletes.js';
import type { MessageIdCheck } from './domain/message-ids.js';
import type { ParkedMessages } from './domain/parked-messages.js';
import type { Publisher } from './domain/publisher.js';
import type { ReplayJobs } from './domain/replay-jobs.js';
import { messageTemplates } from './domain/templates.js';
import { brokerRoutes } from './entry-points/broker-routes.js';
import { deadLetterRoutes } from './entry-points/dead-letter-routes.js';
import { producerApiDocument } from './entry-points/openapi.js';
import { publishRoutes } from './entry-points/publish-routes.js';
import type { ProducerMetrics } from './metrics.js';

/**
 * The pages' one Vite build (frontend/dist): this service serves its `producer/index.html` and the
 * `assets/` it loads. The same path from `src/` and from `dist/`, and in the container.
 */
export const DEFAULT_PUBLIC_DIR = fileURLToPath(new URL('../../frontend/dist', import.meta.url));

export interface AppDependencies {
  logger: Logger;
  broker: Broker;
  publisher: Publisher;
  bulkJobs: BulkJobs;
  parked: ParkedMessages;
  deadLetters: DeadLetterConsole;
  deletes: DeadLetterDeletes;
  replayJobs: ReplayJobs;
  /** The shared audit trail (`audit_log`): every state change, with the signed-in account. */
  changes: ChangeLog;
  /** The access check and `/api/session` (access-table.ts says who may call what). */
  access: ServiceAccess;
  /** The dead-letter archive's state: is MySQL reachable (/ready), is the archiver consuming. */
  archive: { database(): Promise<'up' | 'down'>; archiver(): 'archiving' | 'waiting' };
  /** Refuses raw messages whose chosen id belongs to a processing task. */
  messageIds: MessageIdCheck;
  metrics: ProducerMetrics;
  maxRetries: number;
  frontendPort: number;
  /** Where the page links to the catalog and the RabbitMQ management UI; null = derived. */
  links: { catalogUrl: string | null; rabbitmqManagementUrl: string | null };
  publicDir: string;
  /** Requests per window and client on `/api`; false turns the limit off. */
  rateLimit: { windowMs: number; limit: number } | false;
  /** Proxies whose `X-Forwarded-For` names the client (TRUST_PROXY); false = none. */
  trustProxy: TrustProxy;
}

export function createApp(deps: AppDependencies): Express {
  const app = express();
  // The rate limit counts per client address; X-Forwarded-For is believed only from a proxy
  // TRUST_PROXY names (by default none: testers reach the producer directly).
  app.set('trust proxy', deps.trustProxy);
  app.use(requestContext(deps.logger));
  app.use(deps.metrics.observeHttp);
  // the one access decision, from the route table (entry-points/access-table.ts), before every
  // route: /metrics and the API reference included
  app.use(deps.access.check);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          frameAncestors: ["'none'"],
        },
      },
    }),
  );

  app.use(
    serviceEndpoints({
      health: () => ({
        ok: true,
        body: {
          status: 'ok',
          service: 'message-producer',
          broker: deps.broker.isConnected() ? 'connected' : 'disconnected',
          archiver: deps.archive.archiver(),
        },
      }),
      ready: async () => {
        const connected = deps.broker.isConnected();
        const database = await deps.archive.database();
        const ok = connected && database === 'up';
        return {
          ok,
          body: {
            status: ok ? 'ready' : 'unavailable',
            broker: connected ? 'connected' : 'disconnected',
            database,
            archiver: deps.archive.archiver(),
          },
        };
      },
      registry: deps.metrics.registry,
    }),
  );

  apiDocs(app, producerApiDocument());

  if (deps.rateLimit) {
    app.use(
      '/api',
      rateLimit({
        ...deps.rateLimit,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
        // a client's own X-Forwarded-For or Forwarded is expected and ignored, not a mistake
        validate: { xForwardedForHeader: false, forwardedHeader: false },
        handler: (_req, _res, next) =>
          next(new AppError('RATE_LIMITED', 429, 'Too many requests; try again in a moment')),
      }),
    );
  }
  // sign-in reads its own small body (4 kB), before the API's parser
  app.use('/api', deps.access.sessions);
  app.use('/api', express.json({ limit: PUBLISH_REQUEST_MAX_BYTES }));
  app.get('/api/info', (_req, res) => {
    const info: ProducerInfo = {
      service: 'message-producer',
      queues: deps.broker.queues,
      maxRetries: deps.maxRetries,
      frontendPort: deps.frontendPort,
      ...deps.links,
    };
    res.json(info);
  });
  app.get('/api/templates', (req, res) => {
    parseQuery(noQuery, req.query);
    res.json({ templates: messageTemplates(deps.maxRetries) });
  });
  app.use('/api', publishRoutes(deps.publisher, deps.bulkJobs, deps.messageIds, deps.changes));
  app.use('/api', brokerRoutes(deps.broker, deps.parked));
  app.use('/api', deadLetterRoutes(deps.deadLetters, deps.deletes, deps.replayJobs));

  // the page is revalidated on every load (ETag); its hashed assets are cached for good
  app.get(['/', '/index.html'], (_req, res, next) => {
    res.set('Cache-Control', 'no-cache');
    res.sendFile(join(deps.publicDir, 'producer', 'index.html'), (error) => error && next(error));
  });
  app.use(
    '/assets',
    express.static(join(deps.publicDir, 'assets'), { immutable: true, maxAge: '365d' }),
  );
  app.use(notFoundHandler);
  // a database that is away or not migrated yet is a 503 that says so, wherever it showed: the
  // access check's account lookup as much as the console's reads
  app.use(((error, _req, _res, next) => next(archiveUnavailable(error))) as ErrorRequestHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
