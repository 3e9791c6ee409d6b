import {
  errorBodySchema,
  flowQuerySchema,
  invalidRequest,
  latencyQuerySchema,
  noQuery,
  notFound,
  taskStatusBatchSchema,
  taskStatusUpdateSchema,
  taskFlowSchema,
  taskLatencySchema,
  taskJourneySchema,
  type OperationDoc,
} from '@retro/common';
import { z } from 'zod';
import { countsSchema, exampleTask, taskSchema } from './api-shapes.js';
import { idParams, legacyStatusBody, messageIdParams, taskQuery } from './schemas.js';

const unauthorized = { description: 'No or wrong INTERNAL_API_TOKEN', schema: errorBodySchema };

/** The task routes and the consumer's status writes, documented from their schemas. */
export const taskOperations: OperationDoc[] = [
  {
    method: 'get',
    path: '/api/tasks',
    tag: 'tasks',
    summary: 'Processing tasks, newest first',
    description: `Total in the X-Total-Count header. \`status=stalled\`: pending or processing longer than TASK_STALLED_AFTER_MS.`,
    query: taskQuery,
    responses: {
      200: { description: 'A page of tasks', schema: z.array(taskSchema), example: [exampleTask] },
      400: invalidRequest,
    },
  },
  {
    method: 'get',
    path: '/api/tasks/counts',
    tag: 'tasks',
    summary: 'Tasks by status',
    query: noQuery,
    responses: {
      200: {
        description: 'Counts',
        schema: countsSchema,
        example: {
          pending: 2,
          processing: 1,
          completed: 40,
          failed: 3,
          total: 46,
          stalled: 0,
          stalledAfterMs: 600000,
        },
      },
    },
  },
  {
    method: 'get',
    path: '/api/tasks/latency',
    tag: 'tasks',
    summary: 'End-to-end time of the tasks completed in a recent window',
    description:
      'From the commit of each change (its task created) to the completion of its task, over the tasks completed in the last `window` (`15m` by default; `1m` to `24h`, written as a number and `s`, `m` or `h`): nearest-rank p50, p95 and p99 in milliseconds, `null` when none completed. The histogram `task_end_to_end_seconds` on `/metrics` measures the same.',
    query: latencyQuerySchema,
    responses: {
      200: {
        description: 'Percentiles',
        schema: taskLatencySchema,
        example: { windowSeconds: 900, count: 1200, p50Ms: 180, p95Ms: 2400, p99Ms: 6100 },
      },
      400: invalidRequest,
    },
  },
  {
    method: 'get',
    path: '/api/tasks/flow',
    tag: 'tasks',
    summary: 'Recent samples of the flow (the processing page charts)',
    description:
      'Each backend replica samples the pipeline every 5 s and keeps the last 15 minutes in memory: tasks completed and failed per second, messages parked per second (growth of the dead-letter queue), depth of the main queue and of the retry tiers together, outbox backlog and its oldest age, end-to-end p95 of the last minute. `since` (epoch ms, the `at` of the last sample a viewer holds) returns only newer samples, so a viewer that was cut resumes without a hole. A depth is `null` while the broker could not be read.',
    query: flowQuerySchema,
    responses: {
      200: {
        description: 'Samples, oldest first',
        schema: taskFlowSchema,
        example: {
          intervalMs: 5000,
          historyMs: 900000,
          samples: [
            {
              at: 1765152000000,
              completedPerSec: 41.2,
              failedPerSec: 0,
              parkedPerSec: 0,
              mainDepth: 120,
              retryDepth: 3,
              outboxBacklog: 8,
              outboxOldestAgeMs: 240,
              p95Ms: 950,
            },
          ],
        },
      },
      400: invalidRequest,
    },
  },
  {
    method: 'get',
    path: '/api/tasks/stream',
    tag: 'tasks',
    summary: 'Live task changes (Server-Sent Events; Last-Event-ID resumes)',
    responses: {
      200: {
        description: '`event: task` frames, data = the task',
        contentType: 'text/event-stream',
      },
      429: { description: 'Too many open streams', schema: errorBodySchema },
    },
  },
  {
    method: 'get',
    path: '/api/tasks/:messageId',
    tag: 'tasks',
    summary: 'One task',
    params: messageIdParams,
    responses: {
      200: { description: 'The task', schema: taskSchema, example: exampleTask },
      400: invalidRequest,
      404: notFound('task'),
    },
  },
  {
    method: 'get',
    path: '/api/tasks/:messageId/journey',
    tag: 'tasks',
    summary: "A message's journey: each step the services took with it, in time order",
    description:
      'Recorded by the services as they act: `written` (the change, its request id and actor), `published` (relay), `delivered` (consumer instance, attempt), `attempt-failed`, `retry-scheduled` (tier), `handed-back`, `deferred`, `parked` (reason), `archived`, `replayed` (by whom, the copy), `completed`, `failed`, `duplicate`. At most 100 steps; pruned with the task.',
    params: messageIdParams,
    responses: {
      200: {
        description: 'The journey',
        schema: taskJourneySchema,
        example: {
          messageId: exampleTask.messageId,
          entries: [
            {
              at: '2026-01-05T10:00:00.012Z',
              stage: 'written',
              service: 'backend',
              instance: null,
              detail: {
                action: 'create',
                requestId: 'c0ffee00-0000-4000-8000-000000000001',
                actor: 'editor',
              },
            },
            {
              at: '2026-01-05T10:00:00.031Z',
              stage: 'published',
              service: 'relay',
              instance: 'api-1:4123',
              detail: { confirmed: true },
            },
          ],
        },
      },
      400: invalidRequest,
      404: notFound('task'),
    },
  },
  {
    method: 'post',
    path: '/api/tasks/:messageId/retry',
    tag: 'tasks',
    summary: 'Publish a failed or stalled catalog event again',
    params: messageIdParams,
    responses: {
      202: { description: 'Published again' },
      404: notFound('task'),
      409: {
        description: 'Not failed nor stalled, or not a catalog event',
        schema: errorBodySchema,
      },
    },
  },
  {
    method: 'put',
    path: '/api/internal/tasks/:messageId/status',
    tag: 'internal',
    internal: true,
    summary: 'The consumer’s status write',
    params: messageIdParams,
    body: taskStatusUpdateSchema,
    example: { status: 'completed', type: 'game', gameId: 1, action: 'update', attempts: 1 },
    responses: {
      200: { description: 'Applied or not, with the task' },
      400: invalidRequest,
      401: unauthorized,
      409: {
        description: 'TASK_MISMATCH: type or game contradicts the stored task',
        schema: errorBodySchema,
      },
    },
  },
  {
    method: 'put',
    path: '/api/internal/tasks/status',
    tag: 'internal',
    internal: true,
    summary: 'Status writes in batches, applied in order in one transaction',
    body: taskStatusBatchSchema,
    example: {
      updates: [
        {
          messageId: exampleTask.messageId,
          status: 'processing',
          type: 'game',
          gameId: 1,
          action: 'update',
          attempts: 1,
        },
      ],
    },
    responses: {
      200: { description: '`{results: [...]}` in the order of the updates' },
      400: invalidRequest,
      401: unauthorized,
    },
  },
  {
    method: 'put',
    path: '/api/games/:id/process-complete',
    tag: 'internal',
    internal: true,
    summary: 'The original consumer’s status write',
    params: idParams,
    body: legacyStatusBody,
    example: { status: 'completed' },
    responses: {
      200: { description: '`{id, processingStatus}`' },
      400: invalidRequest,
      401: unauthorized,
      404: notFound('game'),
    },
  },
];
