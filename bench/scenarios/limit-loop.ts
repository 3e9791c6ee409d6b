import { randomUUID } from 'node:crypto';
import { TEST_RABBITMQ_URL } from '@retro/common/testing';
import { yearCategoryOf } from '@retro/common';
import { createPool } from '@retro/database';
import amqplib from 'amqplib';
import type mysql from 'mysql2/promise';
import { CpuMeter } from '../lib/cpu.js';
import { gameBody, round, runConcurrently, until } from '../lib/load.js';
import { countCompleted, createWorld } from '../lib/world.js';

export interface LimitOptions {
  events: number;
  concurrency: number;
  prefetch: number;
}

export interface LimitResult {
  events: number;
  seconds: number;
  eventsPerSec: number;
  /** CPU milliseconds per event of each process (this one, MariaDB, RabbitMQ). */
  cpuMsPerEvent: Record<string, number>;
}

/**
 * The practical limit of this machine for the durable work one event needs, with no framework:
 * raw mysql2 and amqplib, no HTTP, no validation, no logging. Per event:
 *  1. one transaction inserting the game, its outbox row and its pending task;
 *  2. a persistent publish on a confirm channel, awaited, then the outbox row marked published;
 *  3. a consumer (manual ack, same prefetch) writing `processing`, then `completed`, to the task
 *     and the game (one statement each), then acking.
 * The clock runs from the first insert until every task is completed.
 */
export async function limitLoop(options: LimitOptions): Promise<LimitResult> {
  const world = await createWorld('limit');
  const pool = createPool(world.settings, 20);
  const connection = await amqplib.connect(TEST_RABBITMQ_URL);
  try {
    const publisher = await connection.createConfirmChannel();
    const consumer = await connection.createChannel();
    await consumer.prefetch(options.prefetch);
    await consumer.consume(world.queues.main, (msg) => {
      if (!msg) return;
      const { eventId } = JSON.parse(msg.content.toString()) as { eventId: string };
      void (async () => {
        await setStatus(pool, eventId, 'processing');
        await setStatus(pool, eventId, 'completed');
        consumer.ack(msg);
      })();
    });

    const seed = await countCompleted(world.pool);
    const cpu = new CpuMeter();
    const started = performance.now();
    await runConcurrently(options.events, options.concurrency, async (i) => {
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
    });
    await until(
      'every task to be completed',
      async () => (await countCompleted(world.pool)) - seed >= options.events,
      { timeoutMs: 300_000, intervalMs: 50 },
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      events: options.events,
      seconds: round(seconds, 2),
      eventsPerSec: round(options.events / seconds),
      cpuMsPerEvent: cpu.perEvent(options.events),
    };
  } finally {
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

/** One status write: the task and its game in one statement (autocommit). */
async function setStatus(pool: mysql.Pool, eventId: string, status: string): Promise<void> {
  await pool.query(
    `UPDATE processing_tasks t JOIN games g ON g.id = t.game_id
     SET t.status = ?, t.attempts = 1, g.processing_status = ?
     WHERE t.message_id = ?`,
    [status, status, eventId],
  );
}
