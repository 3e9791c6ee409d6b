import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  closeServer,
  createLimitedServer,
  createLogger,
  DEFAULT_SERVER_LIMITS,
  listen,
  type Logger,
  type PageLinks,
  type ServerLimits,
} from '@retro/common';
import { createFrontendApp } from './app.js';

export interface FrontendServerOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** The catalog API that `/api/*` is forwarded to. */
  backendUrl: string;
  /** The Vite build to serve; defaults to `frontend/dist`. */
  distDir?: string;
  /** Interface to bind (HOST); 127.0.0.1 by default: this machine only. */
  host?: string;
  /** Where the pages link to the producer page and the RabbitMQ UI; derived from the page's host by default. */
  links?: Partial<PageLinks>;
  logger?: Logger;
  /** Timeouts and connection cap (HTTP_*); the configuration's defaults when unset. */
  limits?: ServerLimits;
}

export interface FrontendServer {
  port: number;
  /** The address listened on: 127.0.0.1, or `::`/`0.0.0.0` for all interfaces. */
  address: string;
  stop(): Promise<void>;
}

export const DEFAULT_DIST_DIR = fileURLToPath(new URL('../../dist', import.meta.url));

/** Serves the built pages and forwards `/api` to the backend (app.ts). */
export async function startFrontendServer(options: FrontendServerOptions): Promise<FrontendServer> {
  const logger = options.logger ?? createLogger('frontend');
  const root = resolve(options.distDir ?? DEFAULT_DIST_DIR);
  const links: PageLinks = {
    producerUrl: null,
    producerPort: 3001,
    rabbitmqManagementUrl: null,
    ...options.links,
  };
  const { app, close } = createFrontendApp({ backendUrl: options.backendUrl, root, links, logger });
  const server = createLimitedServer(app, options.limits ?? DEFAULT_SERVER_LIMITS);
  const port = await listen(server, options.port, options.host ?? '127.0.0.1');
  const { address } = server.address() as AddressInfo;
  logger.info('frontend listening', { address, port, backendUrl: options.backendUrl, root });
  return {
    port,
    address,
    async stop() {
      close();
      await closeServer(server, 2000);
    },
  };
}
