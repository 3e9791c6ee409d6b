import { noQuery, parseInput, parseQuery } from '@retro/common';
import { Router } from 'express';
import { z } from 'zod';
import type { Broker } from '../data-access/broker.js';
import { readQueueStats } from '../data-access/queue-stats.js';
import type { ParkedMessages } from '../domain/parked-messages.js';

import { actorOf } from './actor.js';

const STATS_TIMEOUT_MS = 5_000;

export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const replaySchema = z.union(
  [
    z.strictObject({ messageId: z.string().min(1).max(64) }),
    z.strictObject({ all: z.literal(true) }),
  ],
  { error: 'send {"messageId": "..."} to replay one message or {"all": true} for every one' },
);

/**
 * Queue depths, and the DLQ's first API: parked messages listed and replayed, now answered from
 * the dead-letter archive (the archiver keeps the queue itself near empty).
 */
export function brokerRoutes(broker: Broker, parked: ParkedMessages): Router {
  const router = Router();

  router.get('/queues', async (req, res) => {
    parseQuery(noQuery, req.query);
    const queues = await broker.withChannel(
      (channel) => readQueueStats(channel, broker.queues, broker.topology),
      STATS_TIMEOUT_MS,
    );
    res.json({ queues, checkedAt: new Date().toISOString() });
  });

  router.get('/dlq', async (req, res) => {
    const { limit } = parseQuery(listQuerySchema, req.query);
    res.json(await parked.list(limit));
  });

  router.post('/dlq/replay', async (req, res) => {
    res.json(await parked.replay(parseInput(replaySchema, req.body ?? {}), actorOf(req, res)));
  });

  return router;
}
