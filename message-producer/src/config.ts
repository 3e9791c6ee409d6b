import { loadConfig } from '@retro/common';

export const PRODUCER_CONFIG_KEYS = [
  'RABBITMQ_URL',
  'PRODUCER_PORT',
  'FRONTEND_PORT',
  'MAX_RETRIES',
  'LOG_LEVEL',
] as const;

export type ProducerConfig = ReturnType<typeof loadProducerConfig>;
export type ProducerConfigInput = Partial<
  Record<(typeof PRODUCER_CONFIG_KEYS)[number], string | number>
>;

/** The environment, with `overrides` (from tests or embedding code) taking precedence. */
export function loadProducerConfig(overrides: ProducerConfigInput = {}) {
  const env = { ...process.env };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) env[key] = String(value);
  }
  return loadConfig(PRODUCER_CONFIG_KEYS, env);
}
