import type { ConfirmChannel } from 'amqplib';
import { type QueueNames, type QueueStats, assertTopology } from '@retro/common';

export type { QueueStats } from '@retro/common';

/**
 * Depth and consumers of the three queues. Declaring them first (idempotent, same arguments as
 * every service) means a queue nobody has created yet reads as empty instead of closing the channel.
 */
export async function readQueueStats(
  channel: ConfirmChannel,
  queues: QueueNames,
): Promise<QueueStats[]> {
  await assertTopology(channel, queues);
  const roles: (keyof QueueNames)[] = ['main', 'retry', 'dlq'];
  const stats: QueueStats[] = [];
  for (const role of roles) {
    const { messageCount, consumerCount } = await channel.checkQueue(queues[role]);
    stats.push({ role, name: queues[role], messageCount, consumerCount });
  }
  return stats;
}
