import {
  DELIVERY_LIMITS,
  type RoutedPublisher,
  carriedProperties,
  headersWithinLimits,
  withoutBrokerHeaders,
} from '@retro/common';
import type { MessageProperties, Options } from 'amqplib';
import type { CopyExtras, Delivery, PublishCopy } from '../domain/delivery.js';

/**
 * The original's properties for a copy of it: same id, content type and headers (minus the
 * broker's dead-lettering record), always persistent, plus `extra`.
 */
export function copyProperties(properties: MessageProperties, extra: CopyExtras): Options.Publish {
  const original = withoutBrokerHeaders(properties.headers);
  const room = DELIVERY_LIMITS.headerCount - Object.keys(extra.headers).length;
  return {
    ...carriedProperties(properties),
    persistent: true,
    headers: {
      ...(extra.withinLimits ? headersWithinLimits(original, room) : original),
      ...extra.headers,
    },
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
