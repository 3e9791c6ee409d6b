import type { RequestHandler, Router } from 'express';
import type { Pool } from 'mysql2/promise';
import client, { type Registry } from 'prom-client';
import type { AnonymousRole } from '../access-api.js';
import { accessControl, type AccessTable, defaultOrigins } from './access.js';
import { IdentityStore } from './identity.js';
import { sessionRoutes } from './session-routes.js';

/** The access settings of an HTTP service, from its configuration. */
export interface AccessSettings {
  anonymousRole: AnonymousRole;
  internalToken: string;
  metricsToken: string;
  allowedHosts: readonly string[];
  /** Empty: derived from the allowed hosts at `pagePorts` and `publicUrls`. */
  allowedOrigins: readonly string[];
  pagePorts: readonly number[];
  publicUrls: readonly (string | null)[];
  cookieSecure: 'auto' | 'true' | 'false';
  sessionIdleMs: number;
  sessionMaxMs: number;
  /** Wrong bearer tokens per address and window before 429 (AUTH_FAILURE_LIMIT, …_WINDOW_MS). */
  tokenFailures: { limit: number; windowMs: number };
}

/** What a service mounts: the access check (first) and `/api/session`. */
export interface ServiceAccess {
  check: RequestHandler;
  sessions: Router;
}

/**
 * Builds a service's access check from its route table, with its metrics:
 * `access_refused_total{reason, access}` and `sign_in_attempts_total{outcome}`.
 */
export function serviceAccess(
  service: string,
  table: AccessTable,
  pool: Pool,
  registry: Registry,
  settings: AccessSettings,
): ServiceAccess {
  const refused = new client.Counter({
    name: 'access_refused_total',
    help: 'Requests refused by the access check, by reason (unauthenticated, forbidden, bad-token, token-throttled, host, origin) and by the access class of the route (internal, public, a role, metrics)',
    labelNames: ['reason', 'access'] as const,
    registers: [registry],
  });
  const signIns = new client.Counter({
    name: 'sign_in_attempts_total',
    help: 'Sign-in attempts by outcome: success, failure, throttled',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const identities = new IdentityStore(pool, settings);
  const allowedOrigins = settings.allowedOrigins.length
    ? settings.allowedOrigins
    : defaultOrigins(settings.allowedHosts, settings.pagePorts, settings.publicUrls);
  return {
    check: accessControl({
      table,
      identities,
      anonymousRole: settings.anonymousRole,
      internalToken: settings.internalToken,
      metricsToken: settings.metricsToken,
      allowedHosts: settings.allowedHosts,
      allowedOrigins,
      tokenFailures: settings.tokenFailures,
      onRefused: (reason, access) => refused.inc({ reason, access }),
    }),
    sessions: sessionRoutes({
      pool,
      identities,
      service,
      cookieSecure: settings.cookieSecure,
      sessionMaxMs: settings.sessionMaxMs,
      onSignIn: (outcome) => signIns.inc({ outcome }),
    }),
  };
}

/** The config keys every HTTP service reads for access. */
export const ACCESS_CONFIG_KEYS = [
  'HOST',
  'AUTH_ANONYMOUS_ROLE',
  'SESSION_IDLE_MS',
  'SESSION_MAX_MS',
  'COOKIE_SECURE',
  'METRICS_TOKEN',
  'ALLOWED_HOSTS',
  'ALLOWED_ORIGINS',
  'INTERNAL_API_TOKEN',
  'AUTH_FAILURE_LIMIT',
  'AUTH_FAILURE_WINDOW_MS',
  'FRONTEND_PORT',
  'PRODUCER_PORT',
  'BACKEND_PORT',
  'PRODUCER_PUBLIC_URL',
  'CATALOG_PUBLIC_URL',
] as const;

/** The access settings from a service's validated config. */
export function accessSettings(config: {
  AUTH_ANONYMOUS_ROLE: AnonymousRole;
  INTERNAL_API_TOKEN: string;
  METRICS_TOKEN: string;
  ALLOWED_HOSTS: string[];
  ALLOWED_ORIGINS: string[];
  FRONTEND_PORT: number;
  PRODUCER_PORT: number;
  BACKEND_PORT: number;
  PRODUCER_PUBLIC_URL: string | null;
  CATALOG_PUBLIC_URL: string | null;
  COOKIE_SECURE: 'auto' | 'true' | 'false';
  SESSION_IDLE_MS: number;
  SESSION_MAX_MS: number;
  AUTH_FAILURE_LIMIT: number;
  AUTH_FAILURE_WINDOW_MS: number;
}): AccessSettings {
  return {
    anonymousRole: config.AUTH_ANONYMOUS_ROLE,
    internalToken: config.INTERNAL_API_TOKEN,
    metricsToken: config.METRICS_TOKEN,
    allowedHosts: config.ALLOWED_HOSTS,
    allowedOrigins: config.ALLOWED_ORIGINS,
    pagePorts: [config.FRONTEND_PORT, config.PRODUCER_PORT, config.BACKEND_PORT],
    publicUrls: [config.PRODUCER_PUBLIC_URL, config.CATALOG_PUBLIC_URL],
    cookieSecure: config.COOKIE_SECURE,
    sessionIdleMs: config.SESSION_IDLE_MS,
    sessionMaxMs: config.SESSION_MAX_MS,
    tokenFailures: { limit: config.AUTH_FAILURE_LIMIT, windowMs: config.AUTH_FAILURE_WINDOW_MS },
  };
}
