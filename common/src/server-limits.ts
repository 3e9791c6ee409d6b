import { createServer, type RequestListener, type Server } from 'node:http';

/** How long a client may take and how many may connect: every HTTP server of the system. */
export interface ServerLimits {
  /** Time to send the headers (HTTP_HEADERS_TIMEOUT_MS); a slowloris client is cut with 408. */
  headersTimeoutMs: number;
  /**
   * Time to send the whole request (HTTP_REQUEST_TIMEOUT_MS). Node stops timing a request once
   * it is fully received, so a long response (a live stream) is never cut by it.
   */
  requestTimeoutMs: number;
  /** Idle time before a kept-alive connection is closed (HTTP_KEEP_ALIVE_TIMEOUT_MS). */
  keepAliveTimeoutMs: number;
  /** Connections open at once; beyond, new ones are closed on arrival (HTTP_MAX_CONNECTIONS). */
  maxConnections: number;
}

/** The configuration's defaults, for servers started without a config (tests, embedding code). */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 65_000,
  maxConnections: 10_000,
};

/** The limits from a service's validated config. */
export function serverLimits(config: {
  HTTP_HEADERS_TIMEOUT_MS: number;
  HTTP_REQUEST_TIMEOUT_MS: number;
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number;
  HTTP_MAX_CONNECTIONS: number;
}): ServerLimits {
  return {
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: config.HTTP_MAX_CONNECTIONS,
  };
}

/** The config keys `serverLimits` reads. */
export const SERVER_LIMIT_CONFIG_KEYS = [
  'HTTP_HEADERS_TIMEOUT_MS',
  'HTTP_REQUEST_TIMEOUT_MS',
  'HTTP_KEEP_ALIVE_TIMEOUT_MS',
  'HTTP_MAX_CONNECTIONS',
] as const;

/** An HTTP server for `app` that holds to `limits`. */
export function createLimitedServer(app: RequestListener, limits = DEFAULT_SERVER_LIMITS): Server {
  const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  const server = createServer(
    {
      headersTimeout,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node looks for overdue requests on this interval (30 s by default): often enough that a
      // timeout is kept to within a quarter of itself
      connectionsCheckingInterval: Math.max(250, Math.min(30_000, Math.floor(headersTimeout / 4))),
    },
    app,
  );
  server.maxConnections = limits.maxConnections;
  return server;
}
