import { z } from 'zod';

const int = (fallback: number, min: number, max: number, description: string) =>
  z.coerce.number().int().min(min).max(max).default(fallback).describe(description);

/** The built-in alerts' thresholds and webhook (docs/operations.md, "Alerts"); read by the backend. */
export const alertConfigSchema = {
  ALERT_EVALUATE_INTERVAL_MS: int(
    15_000,
    200,
    3_600_000,
    'How often the backend replica holding the alert lease evaluates the alert rules',
  ),
  // at least two of the 1 s ticks that renew it: a lease as short as the tick lapses at every
  // renewal, and replicas would keep taking it from each other
  ALERT_LEASE_MS: int(
    45_000,
    2000,
    3_600_000,
    'The alert lease lasts this long unless renewed (at least 2 s: twice the renewal tick): a replica that stops is taken over after it',
  ),
  ALERT_STALLED_TASKS: int(
    1,
    1,
    1_000_000,
    'Stalled tasks (unchanged for TASK_STALLED_AFTER_MS) that raise the tasks-stalled alert',
  ),
  ALERT_DEAD_LETTERS: int(
    20,
    1,
    1_000_000,
    'Dead letters (waiting in the DLQ plus archived in the window) that raise the dead-letters alert',
  ),
  ALERT_DEAD_LETTER_WINDOW_MS: int(
    300_000,
    1000,
    86_400_000,
    'The window in which archived dead letters count towards ALERT_DEAD_LETTERS',
  ),
  ALERT_NO_CONSUMER_AFTER_MS: int(
    60_000,
    0,
    86_400_000,
    'The no-consumer alert is raised once game_events has had no consumer for this long',
  ),
  ALERT_OUTBOX_OLDEST_AGE_MS: int(
    120_000,
    1000,
    86_400_000,
    'The outbox-stuck alert is raised when the oldest unpublished outbox event is older than this',
  ),
  ALERT_BROKER_UNREACHABLE_AFTER_MS: int(
    30_000,
    0,
    86_400_000,
    'The broker-unreachable alert is raised once the backend has been without a broker connection this long',
  ),
  ALERT_WEBHOOK_URL: z
    .union([z.literal(''), z.url({ protocol: /^https?$/ })])
    .default('')
    .transform((url) => url || null)
    .describe(
      'Receives a POST per alert transition (raise, resolve), retried until accepted; empty = none. May carry a secret: never logged',
    ),
  ALERT_LINK_BASE_URL: z
    .union([z.literal(''), z.url({ protocol: /^https?$/ })])
    .default('')
    .transform((url) => (url || 'http://127.0.0.1:3000').replace(/\/+$/, ''))
    .describe(
      "Where a webhook notification's link points: the backend's address as operators reach it; empty = http://127.0.0.1:3000",
    ),
} as const;

export const ALERT_CONFIG_KEYS = Object.keys(
  alertConfigSchema,
) as (keyof typeof alertConfigSchema)[];
