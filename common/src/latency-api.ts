import { z } from 'zod';

/** Shortest and longest window `GET /api/tasks/latency` reads. */
export const LATENCY_WINDOW_MIN_SECONDS = 60;
export const LATENCY_WINDOW_MAX_SECONDS = 86_400;

const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;

/** A window as people write it: `15m`, `90s`, `1h`. */
export const latencyWindowSchema = z
  .string()
  .regex(/^[1-9]\d{0,5}[smh]$/, 'a number and a unit: s, m or h (e.g. 15m)')
  .transform((text) => Number(text.slice(0, -1)) * UNIT_SECONDS[text.at(-1) as 's' | 'm' | 'h'])
  .refine(
    (seconds) => seconds >= LATENCY_WINDOW_MIN_SECONDS && seconds <= LATENCY_WINDOW_MAX_SECONDS,
    `between ${LATENCY_WINDOW_MIN_SECONDS / 60}m and ${LATENCY_WINDOW_MAX_SECONDS / 3600}h`,
  );

/** Query of `GET /api/tasks/latency`. */
export const latencyQuerySchema = z.strictObject({
  window: latencyWindowSchema.default(15 * 60),
});

/**
 * `GET /api/tasks/latency`: end-to-end ("critical") time of the tasks completed in the last
 * `windowSeconds`, from the commit of the change that made each task to its completion, as
 * nearest-rank percentiles in milliseconds; `null` when none completed.
 */
export const taskLatencySchema = z.object({
  windowSeconds: z.number().int().positive(),
  count: z.number().int().nonnegative(),
  p50Ms: z.number().int().nonnegative().nullable(),
  p95Ms: z.number().int().nonnegative().nullable(),
  p99Ms: z.number().int().nonnegative().nullable(),
});
export type TaskLatency = z.infer<typeof taskLatencySchema>;
