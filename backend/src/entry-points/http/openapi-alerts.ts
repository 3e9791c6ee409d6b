import {
  alertIdParamsSchema,
  alertListSchema,
  alertQuerySchema,
  alertSchema,
  alertSnoozeBodySchema,
  errorBodySchema,
  invalidRequest,
  notFound,
  type OperationDoc,
} from '@retro/common';

const exampleAlert = {
  id: 7,
  rule: 'no-consumer',
  state: 'firing',
  summary:
    'No consumer subscribed to the main queue for 60 s or more: events wait unprocessed (consumers stopped, or paused by their circuit breaker)',
  since: '2026-01-05T10:00:00.000Z',
  resolvedAt: null,
  acknowledgedAt: '2026-01-05T10:02:00.000Z',
  acknowledgedBy: 'grace',
  snoozedUntil: null,
  snoozedBy: null,
};

const notFiring = {
  description: 'CONFLICT: the alert is resolved (nothing left to attend to)',
  schema: errorBodySchema,
};

/** The built-in alerts' routes (docs/operations.md, "Alerts"). */
export const alertOperations: OperationDoc[] = [
  {
    method: 'get',
    path: '/api/alerts',
    tag: 'alerts',
    summary: 'Alerts raised, or still firing, within a time range; newest first',
    description:
      '`since` inclusive (default 24 hours before `until`), `until` exclusive (default now). `firing` and `unattended` (neither acknowledged nor snoozed) count the alerts firing now, whatever the range. Unknown or repeated parameters are refused with 400.',
    query: alertQuerySchema,
    responses: {
      200: {
        description: 'The alerts and the counts',
        schema: alertListSchema,
        example: { alerts: [exampleAlert], firing: 1, unattended: 0 },
      },
      400: invalidRequest,
    },
  },
  {
    method: 'post',
    path: '/api/alerts/:id/ack',
    tag: 'alerts',
    summary: 'Acknowledge a firing alert (audited as alert.ack)',
    params: alertIdParamsSchema,
    responses: {
      200: { description: 'The alert', schema: alertSchema, example: exampleAlert },
      400: invalidRequest,
      404: notFound('alert'),
      409: notFiring,
    },
  },
  {
    method: 'post',
    path: '/api/alerts/:id/snooze',
    tag: 'alerts',
    summary:
      'Leave a firing alert out of the unattended count for some minutes (audited as alert.snooze)',
    params: alertIdParamsSchema,
    body: alertSnoozeBodySchema,
    example: { minutes: 60 },
    responses: {
      200: { description: 'The alert', schema: alertSchema, example: exampleAlert },
      400: invalidRequest,
      404: notFound('alert'),
      409: notFiring,
    },
  },
];
