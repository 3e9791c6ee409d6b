import { AppError, parseInput } from '@retro/common';
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { BulkJobs } from '../domain/bulk-jobs.js';
import type { ChangeLog } from '../domain/change-log.js';
import { MESSAGE_KINDS, type MessageKind, planMessage } from '../domain/messages.js';
import type { MessageIdCheck } from '../domain/message-ids.js';
import type { Publisher } from '../domain/publisher.js';
import { actorOf } from './actor.js';

export const MAX_BULK_COUNT = 10_000;
/** Bounds what one bulk request can pile into the broker. */
export const MAX_BULK_BYTES = 64 * 1024 * 1024;

export const bulkRequestSchema = z.object({
  kind: z.enum(MESSAGE_KINDS),
  count: z.number().int().min(1).max(MAX_BULK_COUNT),
  payload: z.record(z.string(), z.unknown(), { error: 'must be the request of the chosen kind' }),
});

/**
 * `POST /api/messages/{game-event,custom,raw}` answer 201 with the message id once the broker has
 * confirmed the message (409 first if a tester chose the id of an existing task);
 * `POST /api/messages/bulk` starts a background job to poll. Each is in the shared audit trail
 * under the signed-in account.
 */
export function publishRoutes(
  publisher: Publisher,
  bulkJobs: BulkJobs,
  messageIds: MessageIdCheck,
  changes: ChangeLog,
): Router {
  const router = Router();

  const publishOne = (kind: MessageKind) => async (req: Request, res: Response) => {
    const message = planMessage(kind, req.body)();
    await messageIds.assertFree(message);
    await publisher.publish(kind, message);
    await changes.recordDone(actorOf(req, res), {
      action: 'message.publish',
      target: `message:${message.messageId}`,
      detail: { kind, queue: publisher.queue },
    });
    res.status(201).json({
      messageId: message.messageId,
      ...(message.eventId && { eventId: message.eventId }),
      queue: publisher.queue,
    });
  };

  router.post('/messages/game-event', publishOne('game-event'));
  router.post('/messages/custom', publishOne('custom'));
  router.post('/messages/raw', publishOne('raw'));

  router.post('/messages/bulk', async (req, res) => {
    const { kind, count, payload } = parseInput(bulkRequestSchema, req.body ?? {});
    const plan = withFieldPrefix('payload', () => planMessage(kind, payload, true));
    if (plan().content.length * count > MAX_BULK_BYTES) {
      throw AppError.validation([
        {
          field: 'count',
          message: `messages this large may total at most ${MAX_BULK_BYTES} bytes`,
        },
      ]);
    }
    const job = bulkJobs.start(kind, count, plan);
    await changes.recordDone(actorOf(req, res), {
      action: 'message.bulk',
      target: `bulk:${job.jobId}`,
      detail: { kind, count, queue: publisher.queue },
    });
    res.status(202).location(`/api/messages/bulk/${job.jobId}`).json(job);
  });

  router.get('/messages/bulk/:jobId', (req, res) => {
    const job = bulkJobs.get(req.params.jobId);
    if (!job) throw AppError.notFound(`Bulk job ${req.params.jobId}`);
    res.json(job);
  });

  return router;
}

function withFieldPrefix<T>(prefix: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof AppError && error.code === 'VALIDATION_FAILED') {
      throw AppError.validation(
        // the payload is an object already (the bulk schema says so): every field is inside it
        error.details.map((d) => ({ ...d, field: `${prefix}.${d.field}` })),
      );
    }
    throw error;
  }
}
