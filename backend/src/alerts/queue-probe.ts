import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { Channel } from 'amqplib';
import { retryTierQueue, retryTiers, type QueueNames } from '@retro/common';

export interface QueueReading {
  queue: string;
  role: 'main' | 'retry' | 'dlq';
  /** Messages ready for delivery; 0 for a queue that does not exist. */
  messages: number;
  consumers: number;
  exists: boolean;
}

/** The queues whose depth and consumers the backend reads: main, every retry tier, the DLQ. */
export function probedQueues(queues: QueueNames, retryDelayMs: number) {
  return [
    { queue: queues.main, role: 'main' as const },
    ...retryTiers(retryDelayMs).map((tier) => ({
      queue: retryTierQueue(queues.main, tier),
      role: 'retry' as const,
    })),
    { queue: queues.dlq, role: 'dlq' as const },
  ];
}

/**
 * Reads depth and consumers with a passive declare (`checkQueue`) on a channel of its own, opened
 * for the reading and closed after it: the backend never creates a queue by looking at it. A
 * queue that does not exist closes the channel (404), so the next queue gets a fresh one. Null
 * while the broker is away.
 */
export async function readQueues(
  broker: AmqpConnectionManager,
  wanted: ReturnType<typeof probedQueues>,
): Promise<QueueReading[] | null> {
  const connection = broker.connection;
  if (!connection || !broker.isConnected()) return null;
  const readings: QueueReading[] = [];
  let channel: Channel | undefined;
  try {
    for (const { queue, role } of wanted) {
      channel ??= await openQuietly(connection);
      try {
        const { messageCount, consumerCount } = await channel.checkQueue(queue);
        readings.push({
          queue,
          role,
          messages: messageCount,
          consumers: consumerCount,
          exists: true,
        });
      } catch (error) {
        if ((error as { code?: number }).code !== 404) throw error;
        readings.push({ queue, role, messages: 0, consumers: 0, exists: false });
        channel = undefined;
      }
    }
    return readings;
  } catch {
    return null;
  } finally {
    await channel?.close().catch(() => undefined);
  }
}

async function openQuietly(connection: NonNullable<AmqpConnectionManager['connection']>) {
  const channel = await connection.createChannel();
  // a 404 closes the channel with an error event; unheard, it would crash the process
  channel.on('error', () => undefined);
  return channel;
}
