import { randomUUID } from 'node:crypto';
import type { ConfirmChannel, GetMessage, Options } from 'amqplib';
import { HEADERS, type QueueNames, ReturnTracker, assertTopology } from '@retro/common';
import { type ParkedMessage, describeParked, replayHeaders } from '../domain/parked-messages.js';

/** Messages moved per round trip of confirms while replaying everything. */
const REPLAY_BATCH = 100;

/**
 * Reads up to `limit` parked messages and puts every one of them back, in place: they are taken
 * unacknowledged and rejected with requeue, which RabbitMQ returns to their original position.
 */
export async function peekParked(
  channel: ConfirmChannel,
  dlq: string,
  limit: number,
): Promise<{ total: number; messages: ParkedMessage[] }> {
  const { messageCount } = await channel.checkQueue(dlq);
  const held: GetMessage[] = [];
  try {
    while (held.length < Math.min(limit, messageCount)) {
      const msg = await channel.get(dlq, { noAck: false });
      if (!msg) break;
      held.push(msg);
    }
    return { total: messageCount, messages: held.map(describeParked) };
  } finally {
    if (held.length > 0) channel.nackAll(true);
  }
}

/** What a replay did. */
export interface ReplayOutcome {
  /** Ids of the messages now in the main queue (and no longer parked), in replay order. */
  replayed: string[];
  /** Copies the broker returned even after the queues were declared again; still parked. */
  unrouted: number;
}

/** Declares the queues again when a replayed copy comes back unrouted (the main queue is gone). */
export type DeclareQueues = (channel: ConfirmChannel, queues: QueueNames) => Promise<unknown>;

/**
 * Moves the parked message with `messageId` back to the main queue. It is acked in the DLQ only
 * after the broker confirmed **and routed** the copy, so a failure in between leaves it parked
 * (or, at worst, in both queues: at-least-once, never lost). Returns null when no such message is
 * parked.
 */
export async function replayOne(
  channel: ConfirmChannel,
  queues: QueueNames,
  messageId: string,
  declare: DeclareQueues = assertTopology,
): Promise<ReplayOutcome | null> {
  const returns = trackReturns(channel);
  const { messageCount } = await channel.checkQueue(queues.dlq);
  let skipped = 0;
  try {
    for (let i = 0; i < messageCount; i++) {
      const msg = await channel.get(queues.dlq, { noAck: false });
      if (!msg) break;
      if (msg.properties.messageId !== messageId) {
        skipped++;
        continue;
      }
      return await moveToMain(channel, queues, [msg], { returns, declare });
    }
    return null;
  } finally {
    // the ones looked at on the way stay parked, in their places
    if (skipped > 0) channel.nackAll(true);
  }
}

/**
 * Moves every message parked when the call starts back to the main queue, in batches: publish a
 * batch, wait for the broker's confirms, then ack in the DLQ each message whose copy was routed.
 * Messages parked again during the replay are left for the next one. A batch whose copies cannot
 * be routed even after declaring the queues again ends the replay: those messages, and the ones
 * after them, stay parked.
 */
export async function replayAll(
  channel: ConfirmChannel,
  queues: QueueNames,
  declare: DeclareQueues = assertTopology,
): Promise<ReplayOutcome> {
  const returns = trackReturns(channel);
  const { messageCount } = await channel.checkQueue(queues.dlq);
  const outcome: ReplayOutcome = { replayed: [], unrouted: 0 };
  let taken = 0;
  while (taken < messageCount && outcome.unrouted === 0) {
    const batch: GetMessage[] = [];
    while (batch.length < Math.min(REPLAY_BATCH, messageCount - taken)) {
      const msg = await channel.get(queues.dlq, { noAck: false });
      if (!msg) break;
      batch.push(msg);
    }
    if (batch.length === 0) break;
    taken += batch.length;
    const moved = await moveToMain(channel, queues, batch, { returns, declare });
    outcome.replayed.push(...moved.replayed);
    outcome.unrouted = moved.unrouted;
  }
  return outcome;
}

function trackReturns(channel: ConfirmChannel): ReturnTracker {
  const returns = new ReturnTracker();
  returns.attach(channel);
  return returns;
}

/**
 * Publishes a copy of each parked message to the main queue and acks the ones whose copy was
 * routed. A returned copy means the main queue is gone (deleted by an operator): the queues are
 * declared again and the returned ones tried once more; what still comes back is put back in the
 * DLQ, never acked, since acking it would lose the message.
 */
async function moveToMain(
  channel: ConfirmChannel,
  queues: QueueNames,
  parked: GetMessage[],
  { returns, declare }: { returns: ReturnTracker; declare: DeclareQueues },
): Promise<ReplayOutcome> {
  const replayed: string[] = [];
  let pending = parked.map((msg) => ({ msg, copy: replayCopy(msg) }));
  for (let attempt = 1; attempt <= 2 && pending.length > 0; attempt++) {
    if (attempt > 1) await declare(channel, queues);
    for (const { copy } of pending) channel.sendToQueue(queues.main, copy.content, copy.options);
    await channel.waitForConfirms(); // returns arrive before the confirms of the same messages
    pending = pending.filter(({ msg, copy }) => {
      if (returns.take('', queues.main, copy.content, copy.options.messageId)) return true;
      channel.ack(msg);
      replayed.push(copy.options.messageId);
      return false;
    });
  }
  for (const { msg } of pending) channel.nack(msg, false, true);
  return { replayed, unrouted: pending.length };
}

/** A parked message's copy, published as if it were new; a message without an id gets one. */
function replayCopy(msg: GetMessage): {
  content: Buffer;
  options: Options.Publish & { messageId: string };
} {
  const props = msg.properties;
  return {
    content: msg.content,
    options: {
      mandatory: true,
      persistent: true,
      contentType: props.contentType ?? 'application/json',
      contentEncoding: props.contentEncoding,
      correlationId: props.correlationId,
      messageId: (props.messageId as string | undefined) ?? randomUUID(),
      timestamp: props.timestamp,
      type: props.type,
      appId: props.appId,
      headers: { ...replayHeaders(props.headers), [HEADERS.replayedAt]: new Date().toISOString() },
    },
  };
}
