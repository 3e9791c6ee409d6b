import type { RoutedPublisher } from '@retro/common';
import type { MessageProperties, Options } from 'amqplib';
import type { CopyExtras, Delivery, PublishCopy } from '../domain/delivery.js';

/** Headers the broker maintains itself; copying them into a new publish would confuse it. */
const BROKER_HEADERS = /^x-(death|first-death-|last-death-)/;

/**
 * The original's properties for a copy of it: same id, content type and headers (minus the
 * broker's own), always persistent, plus `extra`.
 */
export function copyProperties(properties: MessageProperties, extra: CopyExtras): Options.Publish {
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
 * Copies go over `publisher`, on a connection of their own: a broker resource alarm blocks
 * publishing connections, and acks on the consuming connection must keep flowing meanwhile. The
 * publisher's confirm timeout bounds how long a copy can hold its message (and its game's turn).
 */
export function copyPublisher(publisher: RoutedPublisher): PublishCopy {
  return (queue: string, delivery: Delivery, extra: CopyExtras) =>
    publisher.sendToQueue(queue, delivery.content, copyProperties(delivery.properties, extra));
}
