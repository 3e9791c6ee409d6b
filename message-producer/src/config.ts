import {
  ACCESS_CONFIG_KEYS,
  SERVER_LIMIT_CONFIG_KEYS,
  loadConfig,
  type ConfigOverrides,
} from '@retro/common';

export const PRODUCER_CONFIG_KEYS = [
  'RABBITMQ_URL',
  // declared like every service declares them; the retry tiers show in the queue depths
  'QUEUE_TYPE',
  'RETRY_DELAY_MS',
  'PRODUCER_PORT',
  'FRONTEND_PORT',
  'BACKEND_URL',
  'MAX_RETRIES',
  'RATE_LIMIT_PER_MINUTE',
  'TRUST_PROXY',
  'CATALOG_PUBLIC_URL',
  'RABBITMQ_MANAGEMENT_URL',
  'LOG_LEVEL',
  // the dead-letter archive lives in the catalog database
  'DB_HOST',
  'DB_PORT',
  'DB_USER',
  'DB_PASSWORD',
  'DB_NAME',
  // soft-deleted dead letters are purged after their retention, archived ones after theirs, and
  // the console's audit after its own, on this interval
  'DELETED_DEAD_LETTER_RETENTION_MS',
  'DEAD_LETTER_RETENTION_MS',
  'AUDIT_RETENTION_MS',
  'HOUSEKEEPING_INTERVAL_MS',
  // who may call what (entry-points/access-table.ts); INTERNAL_API_TOKEN is also what the
  // producer sends the backend when it looks up a task
  ...ACCESS_CONFIG_KEYS,
  ...SERVER_LIMIT_CONFIG_KEYS,
] as const;

export type ProducerConfigInput = ConfigOverrides<(typeof PRODUCER_CONFIG_KEYS)[number]>;
export type ProducerConfig = ReturnType<typeof loadProducerConfig>;

export const loadProducerConfig = (overrides: ProducerConfigInput = {}) =>
  loadConfig(PRODUCER_CONFIG_KEYS, overrides);
