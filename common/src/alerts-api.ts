// The built-in alerts' contract (`@retro/common/api`): the rules, an alert as the API answers it,
// the query and bodies of its routes, and what ALERT_WEBHOOK_URL receives. Browser-safe.
import { z } from 'zod';

/** The rules the backend evaluates (docs/operations.md, "Alerts"). */
export const ALERT_RULES = [
  'tasks-stalled',
  'dead-letters',
  'no-consumer',
  'outbox-stuck',
  'broker-unreachable',
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

export const ALERT_STATES = ['firing', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** One raise of a rule, from firing to resolved, with what operators did about it. */
export const alertSchema = z.object({
  id: z.number().int(),
  rule: z.enum(ALERT_RULES),
  state: z.enum(ALERT_STATES),
  summary: z.string(),
  /** When it was raised (ISO-8601). */
  since: z.string(),
  resolvedAt: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  snoozedUntil: z.string().nullable(),
  snoozedBy: z.string().nullable(),
});
export type Alert = z.infer<typeof alertSchema>;

/** `GET /api/alerts`: the alerts raised, or still firing, within [since, until). */
export const alertListSchema = z.object({
  alerts: z.array(alertSchema),
  /** Alerts firing now, whatever the range. */
  firing: z.number().int(),
  /** Of those, the ones neither acknowledged nor snoozed: the count on the bell. */
  unattended: z.number().int(),
});
export type AlertList = z.infer<typeof alertListSchema>;

const instant = z.iso
  .datetime({ offset: true })
  .transform((text) => new Date(text))
  .describe('ISO-8601 date and time');

export const alertQuerySchema = z.strictObject({
  since: instant.optional().describe('From (inclusive); default 24 hours ago'),
  until: instant.optional().describe('Until (exclusive); default now'),
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('At most this many'),
});

export const alertIdParamsSchema = z.strictObject({
  id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
});

/** `POST /api/alerts/:id/snooze`: out of the bell's count for this long (at most 7 days). */
export const alertSnoozeBodySchema = z.strictObject({
  minutes: z.number().int().min(1).max(10_080),
});
export type AlertSnoozeBody = z.infer<typeof alertSnoozeBodySchema>;

/** What ALERT_WEBHOOK_URL receives, one POST per transition, with an `Idempotency-Key` header. */
export const alertNotificationSchema = z.object({
  id: z.number().int(),
  rule: z.enum(ALERT_RULES),
  state: z.enum(ALERT_STATES),
  /** When the alert was raised (firing) or resolved (resolved). */
  since: z.string(),
  summary: z.string(),
  /** Where an operator reads the alert: the backend's `GET /api/alerts`. */
  link: z.string(),
});
export type AlertNotification = z.infer<typeof alertNotificationSchema>;
