import { randomUUID } from 'node:crypto';
import { TEST_RABBITMQ_URL } from '@retro/common/testing';
import amqplib from 'amqplib';

/** A message as the consumer parks it: original body and properties, failure headers. */
export interface ParkSpec {
  body: string | Buffer;
  messageId?: string;
  reason?: string;
  failedAt?: string;
  retryCount?: number;
  headers?: Record<string, unknown>;
  /** AMQP timestamp (seconds); now by default. Fixed, a spec parked twice is the same parking. */
  timestamp?: number;
}

/** Publishes `specs` to `queue` on a confirm channel and waits until the broker has them all. */
export async function park(queue: string, specs: ParkSpec[]): Promise<void> {
  const connection = await amqplib.connect(TEST_RABBITMQ_URL);
  try {
    const channel = await connection.createConfirmChannel();
    for (const spec of specs) {
      const headers: Record<string, unknown> = { ...spec.headers };
      if (spec.reason !== undefined) headers['x-error'] = spec.reason;
      headers['x-failed-at'] = spec.failedAt ?? new Date().toISOString();
      if (spec.retryCount !== undefined) headers['x-retry-count'] = spec.retryCount;
      channel.sendToQueue(queue, Buffer.isBuffer(spec.body) ? spec.body : Buffer.from(spec.body), {
        persistent: true,
        contentType: 'application/json',
        messageId: spec.messageId ?? randomUUID(),
        timestamp: spec.timestamp ?? Math.floor(Date.now() / 1000),
        headers,
      });
    }
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

/** The three failure shapes the archive should group, as their masked fingerprints read. */
export const SHAPES = {
  exhausted: 'gave up after # retries: simulated transient failure (attempt # of # failing)',
  refused: 'task # of game "*" was refused: backend answered #',
  mismatch: 'backend refused report for message #: TASK_MISMATCH',
} as const;
export type Shape = keyof typeof SHAPES;

/**
 * `count` poison messages spread over the three shapes (message i has shape i % 3), each reason
 * with its own ids and numbers, bodies of game events (refused) and custom messages (the others).
 */
export function poisonMessages(count: number, start = new Date('2024-05-01T10:00:00Z')) {
  const specs: (ParkSpec & { shape: Shape })[] = [];
  for (let i = 0; i < count; i++) {
    const shape = (['exhausted', 'refused', 'mismatch'] as const)[i % 3]!;
    const messageId = randomUUID();
    const failedAt = new Date(start.getTime() + i * 1000).toISOString();
    const reason =
      shape === 'exhausted'
        ? `gave up after ${i % 7} retries: simulated transient failure (attempt ${i} of ${i + 2} failing)`
        : shape === 'refused'
          ? `task ${1000 + i} of game "Game ${i}" was refused: backend answered ${400 + (i % 30)}`
          : `backend refused report for message ${messageId}: TASK_MISMATCH`;
    const body =
      shape === 'refused'
        ? JSON.stringify({
            eventId: messageId,
            gameId: (i % 50) + 1,
            action: 'update',
            gameData: {},
          })
        : JSON.stringify({ type: 'custom', message: `poison ${i}`, simulate: 'transient' });
    specs.push({ shape, messageId, failedAt, reason, body, retryCount: i % 4 });
  }
  return specs;
}

/** `depth` arrays one inside the other, around a string. */
export const nested = (depth: number): unknown => (depth === 0 ? 'bottom' : [nested(depth - 1)]);

/**
 * A parked message the archive refuses for its data: a header nested 120 deep, which the JSON
 * column `headers` does not take (MariaDB checks JSON to a depth of 32, MySQL 8 to 100). Fixed
 * times, so that parking it twice is one parking delivered twice.
 */
export function unarchivable(messageId: string): ParkSpec {
  return {
    messageId,
    body: '{"type":"custom","message":"cannot be archived"}',
    reason: 'simulated permanent failure',
    failedAt: '2024-05-02T10:00:00.000Z',
    timestamp: 1714644000,
    headers: { 'x-trace': `trace-${messageId}`, 'x-nested': nested(120) },
  };
}
