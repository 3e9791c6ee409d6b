import type { ConfirmChannel } from 'amqplib';
import {
  type QueueNames,
  type QueueStats,
  type TopologyOptions,
  declareQueue,
  queueArguments,
} from '@retro/common';

export type { QueueStats } from '@retro/common';

/**
 * Depth and consumers of every queue of the topology: the main queue, the retry tiers (and the
 * single retry queue of earlier versions, while classic) and the DLQ. Declaring them first
 * (idempotent, same arguments as every service) means a queue nobody has created yet reads as
 * empty instead of closing the channel.
 */
export async function readQueueStats(
  channel: ConfirmChannel,
  queues: QueueNames,
  topology: TopologyOptions = {},
): Promise<QueueStats[]> {
  const stats: QueueStats[] = [];
  for (const spec of queueArguments(queues, topology)) {
    const { queue } = spec;
    const declared = await declareQueue(channel, spec);
    const role = queue === queues.main ? 'main' : queue === queues.dlq ? 'dlq' : 'retry';
    stats.push({
      role,
      name: queue,
      messageCount: declared.messageCount,
      consumerCount: declared.consumerCount,
    });
  }
  return stats;
}
