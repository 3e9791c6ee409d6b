import { z } from 'zod';

/** How often each backend replica samples the flow, and how much of it it keeps. */
export const FLOW_SAMPLE_INTERVAL_MS = 5000;
export const FLOW_HISTORY_MS = 15 * 60 * 1000;

/** Query of `GET /api/tasks/flow`: `since` (epoch ms) asks only for the samples taken after it. */
export const flowQuerySchema = z.strictObject({
  since: z.coerce.number().int().nonnegative().optional(),
});

const rate = z.number().nonnegative();
const count = z.number().int().nonnegative();

/**
 * One reading of the pipeline. Rates are per second over the interval that ends at `at`; a
 * depth is `null` while the broker could not be read, `p95Ms` is `null` when nothing completed.
 */
export const flowSampleSchema = z.object({
  /** When the sample was taken, epoch milliseconds. */
  at: z.number().int().nonnegative(),
  completedPerSec: rate,
  /** Tasks that ended failed (their message parked after its retries). */
  failedPerSec: rate,
  /** Growth of the dead-letter queue: messages parked per second. */
  parkedPerSec: rate,
  mainDepth: count.nullable(),
  /** Messages waiting in all retry tiers together. */
  retryDepth: count.nullable(),
  outboxBacklog: count.nullable(),
  outboxOldestAgeMs: count.nullable(),
  /** End-to-end p95 of the tasks completed in the last minute. */
  p95Ms: count.nullable(),
});
export type FlowSample = z.infer<typeof flowSampleSchema>;

/** `GET /api/tasks/flow`: the samples this replica holds, oldest first. */
export const taskFlowSchema = z.object({
  intervalMs: z.number().int().positive(),
  historyMs: z.number().int().positive(),
  samples: z.array(flowSampleSchema),
});
export type TaskFlow = z.infer<typeof taskFlowSchema>;
