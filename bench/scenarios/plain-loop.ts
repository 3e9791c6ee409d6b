import { randomUUID } from 'node:crypto';
import { TEST_RABBITMQ_URL } from '@retro/common/testing';
import { yearCategoryOf } from '@retro/common';
import { createPool } from '@retro/database';
import amqplib from 'amqplib';
import type mysql from 'mysql2/promise';
import { CpuMeter } from '../lib/cpu.js';
import { gameBody, runConcurrently } from '../lib/load.js';
import type { PipelineRun } from './deployed-pipeline.js';
import { createWorld, timeUntilCompleted } from '../lib/world.js';

export interface PlainLoopOptions {
  events: number;
  /** Writers at once. */
  concurrency: number;
  prefetch: number;
  /** Events run through before the clock starts (as on the deployed side). */
  warmup: number;
}

/** Connections, as many as the backend's pool has by default. */
const POOL_SIZE = 20;

/**
 * What this machine does when the same durable work is written by hand, with nothing else: raw
 * mysql2 and amqplib in one process, no HTTP, no validation, no logging. Per event:
 *  1. one transaction inserting the game, its outbox row and its pending task;
 *  2. a persistent publish on a confirm channel, awaited, then the outbox row marked published;
 *  3. a consumer (manual ack, `prefetch`) setting the task and its game `completed` in one
 *     UPDATE, then acking.
 * The clock runs from the first insert until every task is completed, after `warmup` events.
 */
export async function plainLoop(options: PlainLoopOptions): Promise<PipelineRun> {
  const world = await createWorld('plain');
  const pool = createPool(world.settings, POOL_SIZE);
  const connection = await amqplib.connect(TEST_RABBITMQ_URL);
  const inFlight = new Set<Promise<void>>();
  try {
    const publisher = await connection.createConfirmChannel();
    const consumer = await connection.createChannel();
    await consumer.prefetch(options.prefetch);
    await consumer.consume(world.queues.main, (msg) => {
      if (!msg) return;
      const { eventId } = JSON.parse(msg.content.toString()) as { eventId: string };
      const settled = complete(pool, eventId)
        .then(
          () => consumer.ack(msg),
          () => consumer.nack(msg),
        )
        .catch(() => undefined); // the channel is gone: the broker requeues it
      inFlight.add(settled);
      void settled.finally(() => inFlight.delete(settled));
    });

    const write = async (i: number) => {
      const eventId = randomUUID();
      const game = gameBody(i);
      const payload = JSON.stringify({ eventId, action: 'create', gameData: game });
      const outboxId = await writeGameWithEvent(pool, eventId, game, payload);
      await new Promise<void>((resolve, reject) =>
        publisher.sendToQueue(
          world.queues.main,
          Buffer.from(payload),
          { persistent: true, contentType: 'application/json', messageId: eventId },
          (error) => (error ? reject(error) : resolve()),
        ),
      );
      await pool.query(
        'UPDATE outbox_events SET published_at = CURRENT_TIMESTAMP(3) WHERE id = ?',
        [outboxId],
      );
    };
    const run = (count: number) => runConcurrently(count, options.concurrency, write);
    await timeUntilCompleted(world.pool, options.warmup, () => run(options.warmup));
    return await timeUntilCompleted(world.pool, options.events, () => run(options.events), {
      cpu: () => new CpuMeter({}, 'plainLoop'),
    });
  } finally {
    // a task is counted completed as soon as its UPDATE commits, a moment before its ack
    await Promise.allSettled([...inFlight]);
    await connection.close().catch(() => undefined);
    await pool.end();
    await world.cleanup();
  }
}

async function writeGameWithEvent(
  pool: mysql.Pool,
  eventId: string,
  game: ReturnType<typeof gameBody>,
  payload: string,
): Promise<number> {
  const db = await pool.getConnection();
  try {
    await db.beginTransaction();
    const [inserted] = await db.query<mysql.ResultSetHeader>(
      `INSERT INTO games (title, platform_id, genre_id, developer, release_year, year_category,
                          description, processing_status, last_event_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
      [
        game.title,
        game.platformId,
        game.genreId,
        game.developer,
        game.releaseYear,
        yearCategoryOf(game.releaseYear),
        game.description,
        eventId,
      ],
    );
    const [outbox] = await db.query<mysql.ResultSetHeader>(
      'INSERT INTO outbox_events (event_id, game_id, action, payload) VALUES (?, ?, ?, ?)',
      [eventId, inserted.insertId, 'create', payload],
    );
    await db.query(
      `INSERT INTO processing_tasks (message_id, type, game_id, action, status, attempts)
       VALUES (?, 'game', ?, 'create', 'pending', 0)`,
      [eventId, inserted.insertId],
    );
    await db.commit();
    return outbox.insertId;
  } catch (error) {
    await db.rollback().catch(() => undefined);
    throw error;
  } finally {
    db.release();
  }
}

/** The task and its game completed, in one statement (autocommit). */
async function complete(pool: mysql.Pool, eventId: string): Promise<void> {
  await pool.query(
    `UPDATE processing_tasks t JOIN games g ON g.id = t.game_id
     SET t.status = 'completed', t.attempts = 1, g.processing_status = 'completed'
     WHERE t.message_id = ?`,
    [eventId],
  );
}
