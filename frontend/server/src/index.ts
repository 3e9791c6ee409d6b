import http from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  closeServer,
  createLogger,
  httpMetrics,
  listen,
  type Logger,
  serviceEndpoints,
  serviceRegistry,
} from '@retro/common';
import express from 'express';
import { createProxy } from './proxy.js';
import { routeRequest } from './routes.js';
import { securityHeaders, serveStatic } from './static-files.js';

export interface FrontendServerOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** The catalog API that `/api/*` is forwarded to. */
  backendUrl: string;
  /** The Vite build to serve; defaults to `frontend/dist`. */
  distDir?: string;
  /** Interface to bind; all by default. */
  host?: string;
  logger?: Logger;
}

export interface FrontendServer {
  port: number;
  stop(): Promise<void>;
}

export const DEFAULT_DIST_DIR = fileURLToPath(new URL('../../dist', import.meta.url));

/**
 * Serves the built pages and forwards `/api` to the backend, the same routes the container's
 * nginx has, so `npm start` and the container behave alike.
 */
export async function startFrontendServer(options: FrontendServerOptions): Promise<FrontendServer> {
  const logger = options.logger ?? createLogger('frontend');
  // absolute, so the "inside the build folder" check compares like with like
  const root = resolve(options.distDir ?? DEFAULT_DIST_DIR);
  const proxy = createProxy({ backendUrl: options.backendUrl, logger });

  // /health, /ready and /metrics as every service answers them; everything else as before
  const registry = serviceRegistry();
  const app = express();
  app.disable('x-powered-by');
  app.use(httpMetrics(registry));
  app.use(
    serviceEndpoints({
      health: () => ({ ok: true, body: { status: 'ok', service: 'frontend' } }),
      ready: async () => {
        const backend = await fetch(new URL('/health', options.backendUrl), {
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
  app.use((req: http.IncomingMessage, res: http.ServerResponse) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
      logger.http('request', { method: req.method, path: req.url, status: res.statusCode, ms });
    });
    const path = (req.url ?? '/').split(/[?#]/)[0] ?? '/';
    securityHeaders(res);
    // the container's nginx answers this older path too (its healthcheck asks /health)
    if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok\n');
      return;
    }
    const route = routeRequest(req.url ?? '/');
    if (route.kind === 'refused') {
      res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'Not found', details: [] } }));
      return;
    }
    if (route.kind === 'api') {
      proxy(req, res, route.url);
      return;
    }
    serveStatic(root, req, res, path).catch((error: unknown) => {
      logger.error('static file failed', { path, error });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const server = http.createServer(app);

  const port = await listen(server, options.port, options.host);
  logger.info('frontend listening', { port, backendUrl: options.backendUrl, root });
  return {
    port,
    async stop() {
      proxy.close();
      await closeServer(server, 2000);
    },
  };
}
