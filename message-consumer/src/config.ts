import { loadConfig, SERVER_LIMIT_CONFIG_KEYS, type ConfigOverrides } from '@retro/common';

export const CONSUMER_CONFIG_KEYS = [
  'RABBITMQ_URL',
  'QUEUE_TYPE',
  'CONSUMER_PORT',
  'BACKEND_URL',
  'INTERNAL_API_TOKEN',
  'MAX_RETRIES',
  'RETRY_DELAY_MS',
  'PREFETCH',
  'PROCESSING_DELAY_MS',
  'JOURNEY_ENABLED',
  'LOG_LEVEL',
  // the health server's timeouts and connection cap
  ...SERVER_LIMIT_CONFIG_KEYS,
] as const;

export type ConsumerConfigKey = (typeof CONSUMER_CONFIG_KEYS)[number];
/** Env-style overrides, e.g. `{ PREFETCH: 5, BACKEND_URL: 'http://127.0.0.1:4000' }`. */
export type ConsumerConfigInput = ConfigOverrides<ConsumerConfigKey>;
export type ConsumerConfig = ReturnType<typeof loadConsumerConfig>;

/** The environment, with `overrides` on top, validated. A bad value names its variable. */
export const loadConsumerConfig = (overrides: ConsumerConfigInput = {}) =>
  loadConfig(CONSUMER_CONFIG_KEYS, overrides);
