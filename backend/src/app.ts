import { apiDocs } from '@retro/common/api-docs';
import {
  AppError,
  errorHandler,
  jsonApiSecurityHeaders,
  notFoundHandler,
  requestContext,
  serviceEndpoints,
  type InFlightRequests,
  type ServiceAccess,
  type Logger,
  type TaskStatus,
  type TaskStatusResult,
  type TrustProxy,
} from '@retro/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import express from 'express';
import { rateLimit } from 'express-rate-limit';
import type { DomainContext } from './domain/context.js';
import { alertRoutes } from './entry-points/http/alert-routes.js';
import { auditRoutes } from './entry-points/http/audit-routes.js';
import { catalogRoutes } from './entry-points/http/catalog-routes.js';
import { backendApiDocument } from './entry-points/http/openapi.js';
import {
  internalRoutes,
  legacyCompletionRoute,
  taskRoutes,
} from './entry-points/http/task-routes.js';
import type { FlowSampler } from './flow/flow-sampler.js';
import type { BackendMetrics } from './metrics.js';
import type { TaskFeed } from './task-feed.js';

export interface AppDependencies {
  ctx: DomainContext;
  feed: TaskFeed;
  /** The flow samples `GET /api/tasks/flow` answers from. */
  flow: FlowSampler;
  metrics: BackendMetrics;
  broker: AmqpConnectionManager;
  logger: Logger;
  internalToken: string;
  /** The access check and `/api/session` (access-table.ts says who may call what). */
  access: ServiceAccess;
  /** Every request passes through it, so shutdown can wait for their handlers. */
  inFlight: InFlightRequests;
  /** Requests per minute per client on the public API; 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** Proxies whose `X-Forwarded-For` names the client (TRUST_PROXY); false = none. */
  trustProxy: TrustProxy;
}

export function createApp(deps: AppDependencies): express.Express {
  const { ctx, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  // The client's address (the rate limit's key, the logs) comes from X-Forwarded-For only when
  // the peer is a proxy TRUST_PROXY names; anyone else could write any address there.
  app.set('trust proxy', deps.trustProxy);
  app.use(jsonApiSecurityHeaders);
  app.use(deps.inFlight.middleware);
  app.use(requestContext(logger));
  app.use(deps.metrics.observeHttp);
  // the one access decision, from the route table (entry-points/http/access-table.ts)
  app.use(deps.access.check);

  // The consumer's status writes come first: they are not rate limited, and each reads its own
  // body. The routes of the API's hot path come next, so that its requests pass nothing but a few
  // path comparisons on the way (each router entered, or middleware run, costs ~20 µs of CPU).
  const countStatusWrite = (status: TaskStatus, result: TaskStatusResult) => {
    deps.metrics.statusWrites.inc({ status, applied: String(result.applied) });
    if (result.error) deps.metrics.statusReportsRefused.inc();
  };
  app.use('/api/internal', internalRoutes(ctx, countStatusWrite));
  app.put('/api/games/:id/process-complete', ...legacyCompletionRoute(ctx));
  apiDocs(app, backendApiDocument());
  app.use(express.json({ limit: '64kb', strict: true }));
  if (deps.rateLimitPerMinute > 0) {
    app.use(
      '/api',
      rateLimit({
        windowMs: 60_000,
        limit: deps.rateLimitPerMinute,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
        // A client may send X-Forwarded-For or Forwarded of its own; ignoring them unless
        // TRUST_PROXY says otherwise is the point, not a misconfiguration to warn about.
        validate: { xForwardedForHeader: false, forwardedHeader: false },
        handler: (_req, _res, next) =>
          next(new AppError('RATE_LIMITED', 429, 'Too many requests; slow down and retry shortly')),
      }),
    );
  }
  app.use('/api', deps.access.sessions);
  app.use('/api', catalogRoutes(ctx));
  app.use('/api', auditRoutes(ctx));
  app.use('/api', taskRoutes(ctx, deps.feed, deps.flow));
  app.use('/api', alertRoutes(ctx.pool));
  // after the API, whose routes are the hot path: none of them shares a path with these
  app.use(
    serviceEndpoints({
      health: () => ({ ok: true, body: { status: 'ok' } }),
      ready: async () => {
        const database = await ctx.pool
          .query('SELECT 1')
          .then(() => 'up' as const)
          .catch(() => 'down' as const);
        const rabbitmq = deps.broker.isConnected() ? ('up' as const) : ('down' as const);
        const ok = database === 'up' && rabbitmq === 'up';
        return { ok, body: { status: ok ? 'ready' : 'unavailable', database, rabbitmq } };
      },
      registry: deps.metrics.registry,
    }),
  );

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
