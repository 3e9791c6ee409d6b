import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { alertConfigSchema } from './alert-config.js';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.js';
import { brokerUrls, redactUrl } from './broker-urls.js';
import { QUEUE_TYPES } from './topology.js';
import { ANONYMOUS_ROLES } from './access-api.js';

const commaList = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/**
 * Reads `.env` from the working directory (or the repository root) once, without overriding
 * variables that are already set in the environment.
 */
export function loadDotEnv(): void {
  for (const candidate of [resolve('.env'), resolve('..', '.env')]) {
    if (existsSync(candidate)) {
      process.loadEnvFile(candidate);
      return;
    }
  }
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

const port = (fallback: number, description: string) =>
  z.coerce.number().int().min(0).max(65535).default(fallback).describe(description);

const int = (fallback: number, min: number, max: number, description: string) =>
  z.coerce.number().int().min(min).max(max).default(fallback).describe(description);

/** An address for a browser (a link on a page): http(s), or empty for "derive it from the page's". */
const publicUrl = (description: string) =>
  z
    .union([z.literal(''), z.url({ protocol: /^https?$/ })])
    .default('')
    .transform((url) => url || null)
    .describe(description);

/** Every variable any service reads, with its default and what it means. */
export const configSchema = {
  ...alertConfigSchema,
  DB_HOST: z.string().min(1).default('127.0.0.1').describe('MySQL host'),
  DB_PORT: port(3306, 'MySQL port'),
  DB_USER: z.string().min(1).default('root').describe('MySQL user'),
  DB_PASSWORD: z.string().default('').describe('MySQL password'),
  DB_MIGRATE_USER: z
    .string()
    .default('')
    .describe(
      'MySQL user of the migrate step (schema changes); empty: DB_USER migrates too (docs/security.md)',
    ),
  DB_MIGRATE_PASSWORD: z
    .string()
    .default('')
    .describe('password of DB_MIGRATE_USER (used only when DB_MIGRATE_USER is set)'),
  DB_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,64}$/, 'letters, digits and underscores only')
    .default('retro_games_catalog')
    .describe('MySQL database name'),
  RABBITMQ_URL: z
    .string()
    .superRefine((value, ctx) => {
      const urls = brokerUrls(value);
      if (urls.length === 0) ctx.addIssue({ code: 'custom', message: 'names no URL' });
      urls.forEach((url, i) => {
        const which = urls.length > 1 ? `node ${i + 1} of the list ("${redactUrl(url)}"): ` : '';
        if (!/^amqps?:\/\//.test(url)) {
          ctx.addIssue({ code: 'custom', message: `${which}must start with amqp:// or amqps://` });
        } else if (!URL.canParse(url)) {
          ctx.addIssue({ code: 'custom', message: `${which}is not a valid URL` });
        }
      });
    })
    .default('amqp://guest:guest@127.0.0.1:5672')
    .describe(
      'RabbitMQ connection URL, or the URLs of several cluster nodes separated by commas (tried in turn)',
    ),
  QUEUE_TYPE: z
    .enum(QUEUE_TYPES)
    .default('classic')
    .describe(
      'classic (one node holds each queue; what the original catalog declares) or quorum (replicated over a RabbitMQ cluster); the same on every service',
    ),
  BACKEND_PORT: port(3000, 'Port of the catalog API'),
  PRODUCER_PORT: port(3001, 'Port of the message producer'),
  CONSUMER_PORT: port(3002, 'Port of the consumer health and metrics endpoint'),
  FRONTEND_PORT: port(8080, 'Port the web UI is served on'),
  BACKEND_URL: z
    .url({ protocol: /^https?$/ })
    .default('http://127.0.0.1:3000')
    .describe('Where the consumer and the producer reach the backend'),
  INTERNAL_API_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .default('local-development-token')
    .describe('Bearer token for the internal status-write endpoints'),
  AUTH_FAILURE_LIMIT: int(
    20,
    1,
    100_000,
    'Wrong bearer tokens (internal, metrics or personal) one address may send per AUTH_FAILURE_WINDOW_MS; the next ones get 429 with Retry-After (right tokens are never held back)',
  ),
  AUTH_FAILURE_WINDOW_MS: int(
    60_000,
    1000,
    86_400_000,
    'The window AUTH_FAILURE_LIMIT counts wrong tokens in, from the first one',
  ),
  MAX_RETRIES: int(3, 0, 100, 'Retries before a message is parked'),
  RETRY_DELAY_MS: int(1000, 0, 3_600_000, 'Base retry delay, doubled per retry'),
  PREFETCH: int(100, 1, 1000, 'Messages a consumer processes concurrently'),
  PROCESSING_DELAY_MS: int(2000, 0, 600_000, 'Simulated work per message'),
  JOURNEY_ENABLED: z
    .enum(['true', 'false'])
    .default('true')
    .describe(
      "Whether the backend (written, published) and the consumer (its steps, sent with its status reports) record each message's journey; false on a consumer while a backend from before journeys still runs",
    ),
  TASK_STALLED_AFTER_MS: int(
    600_000,
    1000,
    604_800_000,
    'A pending or processing task unchanged for this long is reported as stalled (its message may be lost)',
  ),
  OUTBOX_RETENTION_MS: int(
    604_800_000,
    60_000,
    31_536_000_000,
    'Published outbox rows older than this are pruned (never unpublished ones, nor those of failed tasks)',
  ),
  TASK_RETENTION_MS: int(
    2_592_000_000,
    60_000,
    31_536_000_000,
    'Completed and failed tasks unchanged for this long are pruned (never pending or processing ones)',
  ),
  HOUSEKEEPING_INTERVAL_MS: int(
    60_000,
    1000,
    86_400_000,
    'How often the backend prunes old outbox rows and finished tasks',
  ),
  HTTP_HEADERS_TIMEOUT_MS: int(
    20_000,
    1000,
    600_000,
    "Time a client has to send a request's headers; a slower one (slowloris) is cut with 408",
  ),
  HTTP_REQUEST_TIMEOUT_MS: int(
    60_000,
    1000,
    3_600_000,
    'Time a client has to send a whole request, headers and body; the response is not bounded by it, so live streams stay open',
  ),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(
    65_000,
    1000,
    600_000,
    'An idle kept-alive connection is closed after this long (longer than the usual proxy idle timeout of 60 s)',
  ),
  HTTP_MAX_CONNECTIONS: int(
    10_000,
    1,
    1_000_000,
    'Open connections one HTTP server accepts at once; beyond, new ones are closed as they arrive',
  ),
  RATE_LIMIT_PER_MINUTE: int(
    1200,
    0,
    10_000_000,
    'Requests per minute one client may make to the public API (backend, producer); 0 turns the limit off',
  ),
  TRUST_PROXY: z
    .string()
    .transform((text, ctx): TrustProxy => {
      const parsed = parseTrustProxy(text);
      if (!Array.isArray(parsed) && typeof parsed === 'object') {
        ctx.addIssue({ code: 'custom', message: parsed.error });
        return z.NEVER;
      }
      return parsed;
    })
    .default(false)
    .describe(
      'Proxies whose X-Forwarded-For names the client: empty or false = none (the service is reached directly), a hop count such as 1, or addresses, CIDR ranges and loopback, comma-separated',
    ),
  STREAM_MAX_CLIENTS: int(
    2000,
    1,
    1_000_000,
    'Live task streams (GET /api/tasks/stream) one backend instance serves at once; beyond, 429',
  ),
  STREAM_MAX_PER_CLIENT: int(
    8,
    1,
    1_000_000,
    'Live task streams one client address may hold open on one backend instance; beyond, 429',
  ),
  PRODUCER_PUBLIC_URL: publicUrl(
    "Where browsers reach the producer page, for the catalog pages' links; empty = the host the page was opened at, port PRODUCER_PORT",
  ),
  CATALOG_PUBLIC_URL: publicUrl(
    "Where browsers reach the catalog, for the producer page's links; empty = the host the page was opened at, port FRONTEND_PORT",
  ),
  RABBITMQ_MANAGEMENT_URL: publicUrl(
    "Where browsers reach the RabbitMQ management UI, for the pages' links; empty = the host the page was opened at, port 15672",
  ),
  HOST: z
    .string()
    .min(1)
    .default('127.0.0.1')
    .describe(
      'Interface the HTTP services (backend, producer, catalog web server; the consumer when set) listen on: 127.0.0.1 (this machine only) or 0.0.0.0 / :: for every interface',
    ),
  AUTH_ANONYMOUS_ROLE: z
    .enum(ANONYMOUS_ROLES)
    .default('viewer')
    .describe(
      'What callers who are not signed in may do: viewer (read the catalog and tasks) or none (sign in for everything)',
    ),
  SESSION_IDLE_MS: int(
    7_200_000,
    60_000,
    2_592_000_000,
    'A browser session unused this long ends (sign in again)',
  ),
  SESSION_MAX_MS: int(
    43_200_000,
    60_000,
    2_592_000_000,
    'A browser session ends this long after its sign-in, however busy',
  ),
  COOKIE_SECURE: z
    .enum(['auto', 'true', 'false'])
    .default('auto')
    .describe(
      'Secure flag of the session cookie: auto (when the request came over TLS, as a trusted proxy says), true (always) or false',
    ),
  METRICS_TOKEN: z
    .union([z.literal(''), z.string().min(16, 'must be at least 16 characters')])
    .default('')
    .describe(
      'Bearer token a Prometheus scraper sends for /metrics on backend and producer; empty = operators only',
    ),
  ALLOWED_HOSTS: z
    .string()
    .default('localhost,127.0.0.1,::1,backend,message-producer,frontend')
    .transform(commaList)
    .describe(
      'Host names the HTTP services answer for (else 421, against DNS rebinding), comma-separated; * = any',
    ),
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform(commaList)
    .describe(
      "Origins (scheme://host:port) from which a signed-in browser may change things, comma-separated; empty = every allowed host at the pages' ports and the public URLs",
    ),
  ADMIN_PASSWORD_FILE: z
    .string()
    .default('admin-password.txt')
    .describe(
      "Where the migrate step writes the first operator's generated password (mode 600); empty = the log line only (containers)",
    ),
  DELETED_DEAD_LETTER_RETENTION_MS: int(
    604_800_000,
    60_000,
    31_536_000_000,
    'Deleted dead letters stay restorable by an operator this long, then housekeeping purges them',
  ),
  DEAD_LETTER_RETENTION_MS: int(
    2_592_000_000,
    60_000,
    31_536_000_000,
    'Archived dead letters archived longer ago than this are removed for good by housekeeping (deleted ones go by DELETED_DEAD_LETTER_RETENTION_MS; their audit entries by AUDIT_RETENTION_MS)',
  ),
  AUDIT_RETENTION_MS: int(
    7_776_000_000,
    60_000,
    315_360_000_000,
    "Audit entries (the audit trail and the dead-letter console's) older than this are pruned by housekeeping",
  ),
  LOG_LEVEL: z
    .enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'])
    .default('info')
    .describe('winston log level'),
  LOG_FORMAT: z
    .enum(['auto', 'pretty', 'json'])
    .default('auto')
    .describe(
      'Log lines: pretty (one coloured line per event), json (one object per line), or auto: pretty on a terminal, json otherwise',
    ),
} as const;

/** INTERNAL_API_TOKEN's default: fine on one machine, known to everyone who read this code. */
export const DEVELOPMENT_TOKEN = configSchema.INTERNAL_API_TOKEN.parse(undefined);

export type ConfigKey = keyof typeof configSchema;

/** Variables for which an empty value means empty, not "use the default". */
const EMPTY_MEANS_EMPTY = new Set<string>(['DB_PASSWORD', 'ADMIN_PASSWORD_FILE']);
type Picked<K extends ConfigKey> = { [P in K]: z.output<(typeof configSchema)[P]> };

/** Env-style values that take precedence over the environment (from tests or embedding code). */
export type ConfigOverrides<K extends ConfigKey> = Partial<Record<K, string | number>>;

/**
 * Validates the named variables from `env`, with `overrides` on top, and returns them typed. A bad
 * value stops the service with an error that names each offending variable.
 */
export function loadConfig<K extends ConfigKey>(
  keys: readonly K[],
  overrides: ConfigOverrides<K> = {},
  baseEnv: NodeJS.ProcessEnv = process.env,
): Picked<K> {
  const env = { ...baseEnv };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) env[key] = String(value);
  }
  const shape = Object.fromEntries(keys.map((k) => [k, configSchema[k]]));
  const input = Object.fromEntries(
    keys.map((k) => [k, env[k] === '' && !EMPTY_MEANS_EMPTY.has(k) ? undefined : env[k]]),
  );
  const result = z.object(shape).safeParse(input);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const config = result.data as Picked<K>;
  if (
    'INTERNAL_API_TOKEN' in config &&
    env.NODE_ENV === 'production' &&
    config.INTERNAL_API_TOKEN === DEVELOPMENT_TOKEN
  ) {
    throw new ConfigError(['INTERNAL_API_TOKEN: must be set to a secret value in production']);
  }
  return config;
}
