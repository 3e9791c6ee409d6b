import { randomUUID } from 'node:crypto';
import type { ConfirmChannel, GetMessage } from 'amqplib';
import { HEADERS, type QueueNames } from '@retro/common';
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

/**
 * Moves the parked message with `messageId` back to the main queue. It is acked in the DLQ only
 * after the broker confirmed the copy, so a failure in between leaves it parked (or, at worst,
 * in both queues: at-least-once, never lost). Returns false when no such message is parked.
 */
export async function replayOne(
  channel: ConfirmChannel,
  queues: QueueNames,
  messageId: string,
): Promise<boolean> {
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
      republish(channel, queues.main, msg);
      await channel.waitForConfirms();
      channel.ack(msg);
      return true;
    }
    return false;
  } finally {
    // the ones looked at on the way stay parked, in their places
    if (skipped > 0) channel.nackAll(true);
  }
}

/**
 * Moves every message parked when the call starts back to the main queue, in batches: publish a
 * batch, wait for the broker's confirms, then ack the batch in the DLQ. Messages parked again
 * during the replay are left for the next one. Returns the ids of the replayed messages.
 */
export async function replayAll(channel: ConfirmChannel, queues: QueueNames): Promise<string[]> {
  const { messageCount } = await channel.checkQueue(queues.dlq);
  const replayed: string[] = [];
  while (replayed.length < messageCount) {
    const batch: GetMessage[] = [];
    while (batch.length < Math.min(REPLAY_BATCH, messageCount - replayed.length)) {
      const msg = await channel.get(queues.dlq, { noAck: false });
      if (!msg) break;
      batch.push(msg);
    }
    if (batch.length === 0) break;
    const ids = batch.map((msg) => republish(channel, queues.main, msg));
    await channel.waitForConfirms();
    channel.ack(batch.at(-1)!, true);
    replayed.push(...ids);
  }
  return replayed;
}

/** Publishes a parked message's copy to `queue` as if it were new; returns its message id. */
function republish(channel: ConfirmChannel, queue: string, msg: GetMessage): string {
  const props = msg.properties;
  const messageId = (props.messageId as string | undefined) ?? randomUUID();
  channel.sendToQueue(queue, msg.content, {
    persistent: true,
    contentType: props.contentType ?? 'application/json',
    contentEncoding: props.contentEncoding,
    correlationId: props.correlationId,
    messageId,
    timestamp: props.timestamp,
    type: props.type,
    appId: props.appId,
    headers: { ...replayHeaders(props.headers), [HEADERS.replayedAt]: new Date().toISOString() },
  });
  return messageId;
}
