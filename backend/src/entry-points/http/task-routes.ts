import {
  AppError,
  auditOrigin,
  flowQuerySchema,
  latencyQuerySchema,
  noQuery,
  parseInput,
  parseQuery,
  taskStatusBatchSchema,
  taskStatusUpdateSchema,
  type TaskStatus,
  type TaskStatusResult,
} from '@retro/common';
import express, { Router, type RequestHandler } from 'express';
import { taskLatency } from '../../data-access/latency-repo.js';
import * as tasks from '../../data-access/tasks-repo.js';
import type { DomainContext } from '../../domain/context.js';
import { taskJourney } from '../../domain/journey.js';
import { retryTask } from '../../domain/task-retry.js';
import * as processing from '../../domain/tasks.js';
import type { FlowSampler } from '../../flow/flow-sampler.js';
import type { TaskFeed } from '../../task-feed.js';
import { idParams, legacyStatusBody, messageIdParams, taskQuery } from './schemas.js';

/** Public task views: list, counts, live stream, retry. */
export function taskRoutes(ctx: DomainContext, feed: TaskFeed, flow: FlowSampler): Router {
  const router = Router();

  router.get('/tasks', async (req, res) => {
    const query = parseQuery(taskQuery, req.query);
    const {
      tasks: page,
      total,
      nextCursor,
    } = await tasks.listTasks(ctx.pool, query, ctx.stalledAfterMs);
    res.setHeader('X-Total-Count', String(total));
    if (nextCursor) res.setHeader('X-Next-Cursor', nextCursor);
    res.json(page);
  });

  router.get('/tasks/counts', async (req, res) => {
    parseQuery(noQuery, req.query);
    const counts = await tasks.countByStatus(ctx.pool, ctx.stalledAfterMs);
    res.json({ ...counts, stalledAfterMs: ctx.stalledAfterMs });
  });

  router.get('/tasks/latency', async (req, res) => {
    const { window } = parseQuery(latencyQuerySchema, req.query);
    res.json(await taskLatency(ctx.pool, window));
  });

  router.get('/tasks/flow', (req, res) => {
    const { since } = parseQuery(flowQuerySchema, req.query);
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      intervalMs: flow.intervalMs,
      historyMs: flow.historyMs,
      samples: flow.ring.since(since),
    });
  });

  router.get('/tasks/stream', (req, res) => {
    feed.attach(req, res);
  });

  router.get('/tasks/:messageId', async (req, res) => {
    const { messageId } = parseInput(messageIdParams, req.params, 'params');
    const task = await tasks.findTask(ctx.pool, messageId, ctx.stalledAfterMs);
    if (!task) throw AppError.notFound(`Task ${messageId}`);
    res.json(task);
  });

  router.get('/tasks/:messageId/journey', async (req, res) => {
    const { messageId } = parseInput(messageIdParams, req.params, 'params');
    res.json(await taskJourney(ctx, messageId));
  });

  router.post('/tasks/:messageId/retry', async (req, res) => {
    const { messageId } = parseInput(messageIdParams, req.params, 'params');
    res.status(202).json(await retryTask(ctx, auditOrigin('backend', req, res), messageId));
  });

  return router;
}

/** Counts each status report by its status and result (metrics). */
type StatusWriteCounter = (status: TaskStatus, result: TaskStatusResult) => void;

/** Bodies of one status report; a batch may carry up to 200 error texts. */
const reportBody = express.json({ limit: '64kb', strict: true });
const batchBody = express.json({ limit: '1mb', strict: true });

/**
 * The consumer's status writes, mounted at `/api/internal`; the access check (route table) lets
 * only the internal token through, before any body is read.
 */
export function internalRoutes(
  ctx: DomainContext,
  onStatusWrite: StatusWriteCounter = () => undefined,
): Router {
  const router = Router();
  router.put('/tasks/:messageId/status', reportBody, async (req, res) => {
    const { messageId } = parseInput(messageIdParams, req.params, 'params');
    const update = parseInput(taskStatusUpdateSchema, req.body, 'body');
    const result = await processing.reportTaskStatus(ctx, messageId, update);
    onStatusWrite(update.status, result);
    if (result.error) throw new AppError('TASK_MISMATCH', 409, result.error.message);
    res.json({ applied: result.applied, task: result.task });
  });

  /**
   * Several reports in one transaction: the consumer coalesces its writes into these. A refused
   * report is answered in its own result (with `error`), never by failing the whole batch.
   */
  router.put('/tasks/status', batchBody, async (req, res) => {
    const { updates } = parseInput(taskStatusBatchSchema, req.body, 'body');
    const results = await processing.reportTaskStatuses(ctx, updates);
    results.forEach((result, i) => onStatusWrite(updates[i]!.status, result));
    res.json({ results });
  });

  return router;
}

/** The original consumer's status write, `PUT /api/games/:id/process-complete`: its handlers. */
export function legacyCompletionRoute(ctx: DomainContext): RequestHandler[] {
  return [
    reportBody,
    async (req, res) => {
      const { id } = parseInput(idParams, req.params, 'params');
      const { status } = parseInput(legacyStatusBody, req.body, 'body');
      await processing.completeGameProcessing(ctx, id, status);
      res.json({ id, processingStatus: status });
    },
  ];
}
