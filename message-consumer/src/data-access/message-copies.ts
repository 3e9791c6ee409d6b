import { type RoutedPublisher, carriedProperties, withoutBrokerHeaders } from '@retro/common';
import type { MessageProperties, Options } from 'amqplib';
import type { CopyExtras, Delivery, PublishCopy } from '../domain/delivery.js';

/**
 * The original's properties for a copy of it: same id, content type and headers (minus the
 * broker's dead-lettering record), always persistent, plus `extra`.
 */
export function copyProperties(properties: MessageProperties, extra: CopyExtras): Options.Publish {
  return {
    ...carriedProperties(properties),
    persistent: true,
    headers: { ...withoutBrokerHeaders(properties.headers), ...extra.headers },
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
