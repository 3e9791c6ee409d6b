import {
  ACCESS_CONFIG_KEYS,
  ALERT_CONFIG_KEYS,
  SERVER_LIMIT_CONFIG_KEYS,
  loadConfig,
  type ConfigOverrides,
} from '@retro/common';

export const BACKEND_CONFIG_KEYS = [
  'DB_HOST',
  'DB_PORT',
  'DB_USER',
  'DB_PASSWORD',
  'DB_NAME',
  'RABBITMQ_URL',
  'QUEUE_TYPE',
  'BACKEND_PORT',
  'INTERNAL_API_TOKEN',
  'TASK_STALLED_AFTER_MS',
  'JOURNEY_ENABLED',
  // the retry tiers whose queues the backend reads for its metrics
  'RETRY_DELAY_MS',
  'OUTBOX_RETENTION_MS',
  'TASK_RETENTION_MS',
  'AUDIT_RETENTION_MS',
  'HOUSEKEEPING_INTERVAL_MS',
  'RATE_LIMIT_PER_MINUTE',
  'TRUST_PROXY',
  'STREAM_MAX_CLIENTS',
  'STREAM_MAX_PER_CLIENT',
  'LOG_LEVEL',
  // read by main.ts's migrate step (its account, the first operator's password)
  'DB_MIGRATE_USER',
  'DB_MIGRATE_PASSWORD',
  'ADMIN_PASSWORD_FILE',
  ...ACCESS_CONFIG_KEYS,
  ...ALERT_CONFIG_KEYS,
  ...SERVER_LIMIT_CONFIG_KEYS,
] as const;

export type BackendConfigInput = ConfigOverrides<(typeof BACKEND_CONFIG_KEYS)[number]>;
export type BackendConfig = ReturnType<typeof loadBackendConfig>;

export const loadBackendConfig = (overrides: BackendConfigInput = {}) =>
  loadConfig(BACKEND_CONFIG_KEYS, overrides);
