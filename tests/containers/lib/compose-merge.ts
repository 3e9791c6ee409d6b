import type { Compose } from './repo.js';

/** Sequences an override replaces instead of adding to (the rest are merged, as compose does). */
const REPLACED = new Set(['command', 'entrypoint', 'test']);

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function merge(base: unknown, override: unknown, key = ''): unknown {
  if (isMap(base) && isMap(override)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(override)) out[k] = k in base ? merge(base[k], v, k) : v;
    return out;
  }
  if (Array.isArray(base) && Array.isArray(override) && !REPLACED.has(key)) {
    const seen = new Set(base.map((item) => JSON.stringify(item)));
    return [...base, ...override.filter((item) => !seen.has(JSON.stringify(item)))];
  }
  return override;
}

/**
 * `docker compose -f base -f override` as far as these checks need it: mappings (services,
 * environment, depends_on, healthcheck...) merged key by key, sequences (volumes, configs, ports)
 * added to, a healthcheck's `test` or a `command` replaced.
 */
export function mergeCompose(base: Compose, override: Compose): Compose {
  return merge(base, override) as Compose;
}
