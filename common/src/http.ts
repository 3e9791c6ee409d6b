import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { randomUUID } from 'node:crypto';
import { DEVELOPMENT_TOKEN } from './config.js';
import { DATABASE_RETRY_AFTER_SECONDS } from './database-outage.js';
import { AppError, errorBody, toAppError } from './errors.js';
import { MESSAGE_ID_PATTERN } from './events.js';
import { type Logger, withLogContext } from './logger.js';

/** Takes `X-Request-Id` from the caller (or makes one), echoes it and puts it in every log line. */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const correlationId = incoming && MESSAGE_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', correlationId);
    // the access line is at `http`, below the default level: no timer or listener unless written
    if (!logger.isLevelEnabled('http')) {
      withLogContext({ correlationId }, next);
      return;
    }
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      withLogContext({ correlationId }, () =>
        logger.http('request', {
          method: req.method,
          path: req.originalUrl,
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
        }),
      );
    });
    withLogContext({ correlationId }, next);
  };
}

/**
 * Counts requests whose handler has not answered yet. A client that hangs up does not end its
 * handler (a transaction may still be running), so shutdown waits for this, not for the sockets,
 * before it closes the pools.
 */
export class InFlightRequests {
  private count = 0;
  private waiters: (() => void)[] = [];

  readonly middleware: RequestHandler = (_req, res, next) => {
    this.count += 1;
    const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
    let answered = false;
    res.end = ((...args: unknown[]) => {
      if (!answered) {
        answered = true;
        this.count -= 1;
        if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
      }
      return end(...args);
    }) as typeof res.end;
    next();
  };

  get size(): number {
    return this.count;
  }

  /** Resolves once every handler has answered, or after `timeoutMs`. */
  drain(timeoutMs = 5000): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** Unknown routes answer with the JSON error shape. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(AppError.notFound(`Route ${req.method} ${req.path}`));
};

/** The one place an HTTP error becomes a response. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    const appError = toAppError(err);
    if (appError.isClientError) {
      logger.info('client error', { code: appError.code, reason: appError.message });
    } else if (appError.code === 'DATABASE_UNAVAILABLE') {
      // one line per request without the stack: an outage under load would bury the log in them
      const cause = appError.cause as { code?: string; message?: string } | undefined;
      logger.warn('database unavailable; answered 503', {
        reason: cause?.code ?? cause?.message,
      });
    } else {
      logger.error('request failed', { error: err });
    }
    // a 503 is an outage the client should wait out: say for how long, unless a route already did
    if (appError.status === 503 && !res.hasHeader('Retry-After')) {
      res.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    }
    res.status(appError.status).json(errorBody(appError));
  };
}

/**
 * The interface a service holding INTERNAL_API_TOKEN listens on. With the development token,
 * anyone who can connect could write task statuses, so only this machine may: 127.0.0.1, with a
 * warning saying so. With a real token, all interfaces (undefined). A host the caller names
 * (tests, embedding code) is used as given.
 */
export function internalApiHost(
  token: string,
  requested: string | undefined,
  logger: Logger,
): string | undefined {
  if (requested !== undefined) return requested;
  if (token !== DEVELOPMENT_TOKEN) return undefined;
  logger.warn(
    'INTERNAL_API_TOKEN is the development default, so this service listens on 127.0.0.1 only; set a secret token to accept connections from other machines',
  );
  return '127.0.0.1';
}

/** Listens and resolves with the bound port (port 0 picks a free one). */
export function listen(server: Server, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Stops accepting connections and lets open requests finish for up to `graceMs`, then drops what
 * is left. A request that still arrives on a kept-alive connection is answered with
 * `Connection: close`, so every client lets go after its current response and nothing is handled
 * after this resolves (the caller closes its pools next).
 */
export function closeServer(server: Server, graceMs = 5000): Promise<void> {
  return new Promise((resolve) => {
    server.prependListener('request', (_req, res) => res.setHeader('Connection', 'close'));
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * The security headers of a JSON API (OWASP's REST set), fixed at start and set in one pass.
 * Helmet's defaults are made for HTML pages and cost ~5% of the API's CPU per request (a
 * middleware and a header check per policy); a JSON body needs only these. A route serving a
 * page (the API docs) sets its own Content-Security-Policy over this one.
 */
const JSON_API_SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
];

export const jsonApiSecurityHeaders: RequestHandler = (_req, res, next) => {
  for (const [name, value] of JSON_API_SECURITY_HEADERS) res.setHeader(name, value);
  next();
};
