import type { Channel, ConfirmChannel } from 'amqplib';
import type { QueueNames } from './events.js';
import { retryTierQueue } from './retry-tiers.js';

export const QUEUE_TYPES = ['classic', 'quorum'] as const;
/** `classic`: one node holds each queue. `quorum`: replicated over the cluster (Raft). */
export type QueueType = (typeof QUEUE_TYPES)[number];

/**
 * Redeliveries a quorum queue allows a message before dead-lettering it. RabbitMQ 3.x has no
 * limit unless one is set; 4.x sets 20 by default, and a message past it is dropped unless the
 * queue dead-letters. Our consumer hands messages back (a nack with requeue, which counts up to
 * 4.2) each time the backend goes away, so the limit is set explicitly and high enough for many
 * outages, while a message that kills every consumer it reaches still ends in the DLQ.
 */
export const QUORUM_DELIVERY_LIMIT = 100;

/**
 * The DLQ's limit: only the archiver reads it, and it never hands a message back; a redelivery
 * there means the archiver's channel closed. Set so 4.x's default of 20 cannot drop a parked
 * message that was caught in many restarts.
 */
export const DLQ_DELIVERY_LIMIT = 10_000;

export interface TopologyOptions {
  /** Default `classic`, which is what the original catalog's clients declare. */
  queueType?: QueueType;
  /** Retry tiers (ms) to declare, one queue each; a service that never retries declares none. */
  retryTiers?: readonly number[];
}

/**
 * Quorum arguments for a queue that dead-letters: at-least-once dead-lettering (the message stays
 * in its queue until the target confirmed it, so a failover between the two loses nothing), which
 * RabbitMQ allows only with `reject-publish` overflow.
 */
function quorum(deadLetterTo: string, deliveryLimit: number): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    'x-delivery-limit': deliveryLimit,
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': deadLetterTo,
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
}

/** The arguments each queue is declared with; every service declares them alike. */
export function queueArguments(queues: QueueNames, options: TopologyOptions = {}): QueueSpec[] {
  const type = options.queueType ?? 'classic';
  const backTo = (main: string) => ({
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': main,
  });
  const declared: QueueSpec[] = [];
  if (type === 'classic') {
    // no arguments: the original catalog's producer and consumer declare it plain-durable
    declared.push({ queue: queues.main, arguments: {} });
    // the single retry queue of earlier versions (per-message TTL): nothing is published to it
    // any more, but what waits in it after an upgrade still comes back to the main queue
    declared.push({ queue: queues.retry, arguments: backTo(queues.main) });
  } else {
    // a message redelivered past the limit goes to the DLQ (the broker's x-death says why)
    declared.push({ queue: queues.main, arguments: quorum(queues.dlq, QUORUM_DELIVERY_LIMIT) });
  }
  for (const tier of options.retryTiers ?? []) {
    const queue = retryTierQueue(queues.main, tier);
    const ttl = { 'x-message-ttl': tier };
    declared.push({
      queue,
      arguments:
        type === 'classic'
          ? { ...ttl, ...backTo(queues.main) }
          : { ...ttl, ...quorum(queues.main, QUORUM_DELIVERY_LIMIT) },
    });
  }
  declared.push({
    queue: queues.dlq,
    arguments:
      type === 'classic'
        ? {}
        : {
            'x-queue-type': 'quorum',
            'x-delivery-limit': DLQ_DELIVERY_LIMIT,
          },
  });
  return declared;
}

/** One queue of the topology, with the arguments every service declares it with. */
export interface QueueSpec {
  queue: string;
  arguments: Record<string, unknown>;
}

/** Declares one queue of the topology (durable); resolves with its depth and consumers. */
export function declareQueue(channel: Channel | ConfirmChannel, spec: QueueSpec) {
  const args = Object.keys(spec.arguments).length > 0 ? { arguments: spec.arguments } : {};
  return channel.assertQueue(spec.queue, { durable: true, ...args });
}

/**
 * Declares the queues. Called from a channel's `setup`, so it runs again after every reconnect.
 * Declaring an existing queue with other arguments closes the channel (PRECONDITION_FAILED), so
 * every service must run with the same QUEUE_TYPE (and consumers with the same RETRY_DELAY_MS
 * declare the same tiers; other tiers are simply other queues).
 */
export async function assertTopology(
  channel: Channel | ConfirmChannel,
  queues: QueueNames,
  options: TopologyOptions = {},
): Promise<void> {
  for (const spec of queueArguments(queues, options)) await declareQueue(channel, spec);
}
