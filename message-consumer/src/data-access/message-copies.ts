import type { ConfirmChannel, ConsumeMessage, Options } from 'amqplib';

/** Headers the broker maintains itself; copying them into a new publish would confuse it. */
const BROKER_HEADERS = /^x-(death|first-death-|last-death-)/;

/** What a copy adds to the original: headers on top of the original ones, and a TTL. */
export interface CopyExtras {
  headers: Record<string, unknown>;
  /** Per-message TTL in ms, as AMQP wants it: a string. */
  expiration?: string;
}

/**
 * The original's properties for a copy of it: same id, content type and headers (minus the
 * broker's own), always persistent, plus `extra`.
 */
export function copyProperties(msg: ConsumeMessage, extra: CopyExtras): Options.Publish {
  const { properties } = msg;
  const inherited = Object.entries(properties.headers ?? {}).filter(
    ([name]) => !BROKER_HEADERS.test(name),
  );
  return {
    contentType: properties.contentType,
    contentEncoding: properties.contentEncoding,
    correlationId: properties.correlationId,
    messageId: properties.messageId,
    timestamp: properties.timestamp,
    type: properties.type,
    appId: properties.appId,
    priority: properties.priority,
    persistent: true,
    headers: { ...Object.fromEntries(inherited), ...extra.headers },
    expiration: extra.expiration,
  };
}

/**
 * Publishes a copy of `msg` (same body) to `queue` on `channel` and resolves once the broker has
 * confirmed it; rejects if it nacks or the channel closes first.
 */
export function publishCopy(
  channel: ConfirmChannel,
  queue: string,
  msg: ConsumeMessage,
  extra: CopyExtras,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    channel.publish('', queue, msg.content, copyProperties(msg, extra), (err) =>
      err ? reject(err) : resolve(),
    );
  });
}
