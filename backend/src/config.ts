import { loadConfig } from '@retro/common';

export const BACKEND_CONFIG_KEYS = [
  'DB_HOST',
  'DB_PORT',
  'DB_USER',
  'DB_PASSWORD',
  'DB_NAME',
  'RABBITMQ_URL',
  'BACKEND_PORT',
  'INTERNAL_API_TOKEN',
  'LOG_LEVEL',
] as const;

export type BackendConfig = ReturnType<typeof loadBackendConfig>;
export type BackendConfigInput = Partial<
  Record<(typeof BACKEND_CONFIG_KEYS)[number], string | number>
>;

/** The environment, with `overrides` (from tests or embedding code) taking precedence. */
export function loadBackendConfig(overrides: BackendConfigInput = {}) {
  const env = { ...process.env };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) env[key] = String(value);
  }
  return loadConfig(BACKEND_CONFIG_KEYS, env);
}
