import type { Request, RequestHandler, Response } from 'express';
import { type AnonymousRole, type Role, roleAtLeast } from '../access-api.js';
import { AppError } from '../errors.js';
import { type IdentityStore, type Principal } from './identity.js';
import { timingSafeEqual } from 'node:crypto';
import { secretDigest } from './secrets.js';
import { TokenFailures } from './token-failures.js';

/**
 * Who may call a route: anyone with no check at all (`open`: /health, /ready), anyone signed in
 * or not, even when anonymous callers may do nothing else (`public`: sign-in, the pages), a role
 * or above, only the internal token (`internal`: the consumer's status writes), or the metrics
 * token or an operator (`metrics`).
 */
export type Access = 'open' | 'public' | Role | 'internal' | 'metrics';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One row of a service's route table. `path` is Express-style; a last `*` matches the rest. */
export interface RouteRule {
  method: Method;
  path: string;
  access: Access;
  /** What the route is, for the generated table in docs/security.md. */
  summary: string;
}

/**
 * The rows every HTTP service has, the same in each table: probes, metrics, the session routes
 * (`sessionRoutes`) and the API documents (`apiDocs`). `ready`: what its readiness checks.
 */
export function serviceRouteRules(ready: string): RouteRule[] {
  return [
    { method: 'GET', path: '/health', access: 'open', summary: 'liveness' },
    { method: 'GET', path: '/ready', access: 'open', summary: `readiness (${ready})` },
    { method: 'GET', path: '/metrics', access: 'metrics', summary: 'Prometheus metrics' },
    { method: 'POST', path: '/api/session', access: 'public', summary: 'sign in' },
    { method: 'GET', path: '/api/session', access: 'public', summary: 'who is signed in' },
    { method: 'DELETE', path: '/api/session', access: 'public', summary: 'sign out' },
    {
      method: 'PUT',
      path: '/api/session/password',
      access: 'viewer',
      summary: 'change own password',
    },
    { method: 'GET', path: '/api/openapi.json', access: 'viewer', summary: 'OpenAPI document' },
    { method: 'GET', path: '/api/docs/*', access: 'viewer', summary: 'API reference page' },
  ];
}

/** A service's route table, compiled for matching. */
export class AccessTable {
  private readonly compiled: { rule: RouteRule; pattern: RegExp }[];

  constructor(readonly rules: readonly RouteRule[]) {
    this.compiled = rules.map((rule) => ({ rule, pattern: compile(rule.path) }));
  }

  /** The rule for a request, or undefined: an unlisted route is not served (404 later). */
  match(method: string, path: string): RouteRule | undefined {
    const m = method === 'HEAD' ? 'GET' : method;
    return this.compiled.find(({ rule, pattern }) => rule.method === m && pattern.test(path))?.rule;
  }
}

function compile(path: string): RegExp {
  const rest = path.endsWith('/*');
  const source = (rest ? path.slice(0, -2) : path)
    .split('/')
    .map((segment) =>
      segment.startsWith(':') ? '[^/]+' : segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${source}${rest ? '(?:/.*)?' : '/?'}$`);
}

export const SESSION_COOKIE = 'retro_session';

export interface AccessOptions {
  table: AccessTable;
  identities: IdentityStore;
  anonymousRole: AnonymousRole;
  internalToken: string;
  /** Empty: only an operator may read /metrics. */
  metricsToken: string;
  /** Host names answered for; `*` = any. */
  allowedHosts: readonly string[];
  /** Origins a signed-in browser may change things from (besides the service's own). */
  allowedOrigins: readonly string[];
  /**
   * Wrong bearer tokens one address may send per window before the next ones get 429
   * (AUTH_FAILURE_LIMIT, AUTH_FAILURE_WINDOW_MS); right tokens are never held back.
   */
  tokenFailures?: { limit: number; windowMs: number };
  /**
   * Counts refused attempts by reason (`unauthenticated`, `forbidden`, `bad-token`,
   * `token-throttled`, `host`, `origin`) and by the route's access class (`internal`, `public`,
   * a role, `metrics`).
   */
  onRefused?: (reason: string, access: Access) => void;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The one place each service decides access, from its route table: finds the caller (bearer
 * token, else session cookie, else anonymous), then answers 401 (not signed in, or a bad token),
 * 403 (role too low; a cookie write from another origin) or 421 (a Host this service is not).
 * The caller is left in `res.locals.principal` for the audit trail.
 */
export function accessControl(options: AccessOptions): RequestHandler {
  const anyHost = options.allowedHosts.includes('*');
  const hosts = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  const origins = new Set(options.allowedOrigins.map((o) => o.toLowerCase()));
  // the fixed tokens' digests once; a bearer's digest once per request, compared in constant time
  const internalDigest = secretDigest(options.internalToken);
  const metricsDigest = options.metricsToken ? secretDigest(options.metricsToken) : null;
  const failures = options.tokenFailures
    ? new TokenFailures(options.tokenFailures.limit, options.tokenFailures.windowMs)
    : null;

  return async (req, res, next) => {
    const rule = options.table.match(req.method, req.path);
    if (!rule || rule.access === 'open') return next();
    const refuse = (reason: string, error: AppError) => {
      options.onRefused?.(reason, rule.access);
      return error;
    };
    /** A wrong token: 401, or 429 once its address has sent too many in this window. */
    const wrongToken = (message: string) => {
      const wait = failures?.fail(req.ip ?? req.socket.remoteAddress ?? '') ?? 0;
      if (wait === 0) return refuse('bad-token', unauthorized(message));
      res.setHeader('Retry-After', String(wait));
      return refuse(
        'token-throttled',
        new AppError(
          'RATE_LIMITED',
          429,
          'Too many wrong tokens from this address; wait and try again',
        ),
      );
    };

    const bearer = bearerToken(req);
    if (rule.access === 'internal') {
      if (bearer && timingSafeEqual(secretDigest(bearer), internalDigest)) return next();
      throw wrongToken('A valid internal API token is required');
    }

    let principal: Principal | null = null;
    if (bearer !== null) {
      const digest = secretDigest(bearer);
      if (timingSafeEqual(digest, internalDigest)) principal = INTERNAL;
      else if (metricsDigest && timingSafeEqual(digest, metricsDigest)) principal = METRICS;
      else principal = await options.identities.fromToken(bearer);
      if (!principal) throw wrongToken('The API token is not valid');
    } else {
      if (!anyHost && !hostAllowed(req, hosts)) {
        throw refuse(
          'host',
          new AppError(
            'MISDIRECTED_REQUEST',
            421,
            'This service does not answer for that host name',
          ),
        );
      }
      const sessionId = sessionCookie(req);
      if (sessionId) principal = await options.identities.fromSession(sessionId);
      if (!SAFE_METHODS.has(req.method) && !originAllowed(req, origins)) {
        throw refuse(
          'origin',
          new AppError('FORBIDDEN', 403, 'Changes from another site are refused (Origin check)'),
        );
      }
    }
    res.locals.principal = principal;

    if (rule.access === 'public') return next();
    if (rule.access === 'metrics') {
      if (principal?.via === 'metrics' || roleAtLeast(principal?.role, 'operator')) return next();
    } else if (principal?.via !== 'metrics' && principal?.via !== 'internal') {
      const role = principal?.role ?? (options.anonymousRole === 'viewer' ? 'viewer' : null);
      if (roleAtLeast(role, rule.access)) return next();
    } else if (principal.via === 'internal' && rule.access === 'viewer') {
      return next(); // the producer's own reads of the backend
    }
    if (!principal || principal.via === 'metrics') {
      throw refuse('unauthenticated', unauthorized('Sign in to do this'));
    }
    throw refuse(
      'forbidden',
      new AppError('FORBIDDEN', 403, `This needs the ${needed(rule.access)} role or above`),
    );
  };
}

const needed = (access: Access) => (access === 'metrics' ? 'operator' : access);

const unauthorized = (message: string) => new AppError('UNAUTHORIZED', 401, message);

const INTERNAL: Principal = {
  username: 'service',
  role: 'viewer',
  accountId: null,
  via: 'internal',
};
const METRICS: Principal = { username: 'metrics', role: 'viewer', accountId: null, via: 'metrics' };

export function bearerToken(req: Request): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer +(\S+)$/i.exec(header);
  return match ? match[1]! : '';
}

/** The session cookie's value, if the request carries one. */
export function sessionCookie(req: Request): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : null;
    }
  }
  return null;
}

/** The principal the access check found (null: anonymous). */
export function principalOf(res: Response): Principal | null {
  return (res.locals.principal as Principal | null | undefined) ?? null;
}

function hostName(host: string): string {
  const value = host.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(1, value.indexOf(']'));
  const colon = value.lastIndexOf(':');
  return colon > 0 && value.indexOf(':') === colon ? value.slice(0, colon) : value;
}

/** Host, and the host a proxy in front says the browser asked for, must both be ours. */
function hostAllowed(req: Request, hosts: Set<string>): boolean {
  const host = req.headers.host;
  if (!host || !hosts.has(hostName(host))) return false;
  const forwarded = req.headers['x-forwarded-host'];
  if (typeof forwarded === 'string' && forwarded) {
    return forwarded.split(',').every((h) => hosts.has(hostName(h)));
  }
  return true;
}

/**
 * A browser says where a request comes from (`Origin`, `Sec-Fetch-Site`): a change from another
 * site is refused. Same origin means the host the browser sent it to, directly or through the
 * pages' proxy (X-Forwarded-Host: a cross-site page cannot set it without a preflight, which
 * these services never allow). Callers that send neither header (scripts, curl) are not browsers.
 */
function originAllowed(req: Request, origins: Set<string>): boolean {
  const origin = req.headers.origin;
  if (!origin) return req.headers['sec-fetch-site'] !== 'cross-site';
  const value = origin.toLowerCase();
  if (origins.has(value)) return true;
  let originHost: string;
  try {
    originHost = new URL(value).host;
  } catch {
    return false;
  }
  const forwarded = req.headers['x-forwarded-host'];
  const candidates = [
    req.headers.host,
    ...(typeof forwarded === 'string' ? forwarded.split(',') : []),
  ];
  return candidates.some((h) => h?.trim().toLowerCase() === originHost);
}

/**
 * The origins allowed by default: every allowed host name at the ports the pages are served
 * from, over http and https, and the configured public addresses.
 */
export function defaultOrigins(
  hosts: readonly string[],
  ports: readonly number[],
  publicUrls: readonly (string | null)[],
): string[] {
  const origins = new Set<string>();
  for (const host of hosts) {
    if (host === '*') continue;
    const name = host.includes(':') ? `[${host}]` : host;
    for (const port of ports) {
      for (const scheme of ['http', 'https']) origins.add(`${scheme}://${name}:${port}`);
    }
  }
  for (const url of publicUrls) if (url) origins.add(new URL(url).origin);
  return [...origins];
}
