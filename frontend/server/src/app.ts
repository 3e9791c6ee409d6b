import {
  httpMetrics,
  serviceEndpoints,
  serviceRegistry,
  type Logger,
  type PageLinks,
} from '@retro/common';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { createApiProxy } from './proxy.js';
import { sendApiError } from './responses.js';
import { routeRequest } from './routes.js';
import { securityHeaders, staticPages } from './static-files.js';

export interface FrontendAppOptions {
  backendUrl: string;
  /** The built pages. */
  root: string;
  links: PageLinks;
  logger: Logger;
}

/**
 * The routes the container's nginx has, so `npm start` and the container behave alike: the
 * built pages, `/api` forwarded to the backend with its internal routes refused, where the pages
 * link to (`/app-config.json`); and `/health`, `/ready` (the backend answers) and `/metrics`, as
 * every service answers them (`/healthz`, the older name, too).
 */
export function createFrontendApp({ backendUrl, root, links, logger }: FrontendAppOptions) {
  const app: Express = express();
  app.disable('x-powered-by');
  app.set('etag', 'strong');
  const proxy = createApiProxy({ backendUrl, logger });
  const registry = serviceRegistry();
  app.use(httpMetrics(registry));
  app.use(
    serviceEndpoints({
      health: () => ({ ok: true, body: { status: 'ok', service: 'frontend' } }),
      ready: async () => {
        const backend = await fetch(new URL('/health', backendUrl), {
          signal: AbortSignal.timeout(2000),
        })
          .then((res) => (res.ok ? ('up' as const) : ('down' as const)))
          .catch(() => 'down' as const);
        const ok = backend === 'up';
        return { ok, body: { status: ok ? 'ready' : 'unavailable', backend } };
      },
      registry,
    }),
  );

  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
      logger.http('request', { method: req.method, path: req.url, status: res.statusCode, ms });
    });
    next();
  });
  app.use(securityHeaders);
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });
  app.get('/app-config.json', (_req, res) => {
    res.set('Cache-Control', 'no-cache').json(links);
  });
  // Decided on the path normalised once (routes.ts); the backend is sent exactly that form.
  app.use((req, res, next) => {
    const route = routeRequest(req.originalUrl);
    if (route.kind === 'refused') {
      sendApiError(res, 404, 'NOT_FOUND', 'Not found');
      return;
    }
    if (route.kind === 'page') {
      next();
      return;
    }
    req.url = route.url;
    void proxy(req, res, next);
  });
  app.use(staticPages(root));
  const errors: ErrorRequestHandler = (error: { status?: number }, req, res, _next) => {
    const status = error.status && error.status < 500 ? error.status : 500;
    if (status === 500) logger.error('static file failed', { path: req.path, error });
    if (res.headersSent) res.destroy();
    else
      res
        .status(status)
        .type('text/plain')
        .send(status === 500 ? 'Error\n' : 'Not found\n');
  };
  app.use(errors);
  return { app, close: () => proxy.close() };
}
