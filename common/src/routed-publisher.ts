import { createHash } from 'node:crypto';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConfirmChannel, Message, Options } from 'amqplib';
import type { Logger } from './logger.js';

/**
 * The broker confirmed a `mandatory` message but could not route it to any queue (the queue was
 * deleted, or never declared). A confirm alone says nothing about routing: RabbitMQ confirms an
 * unroutable message after returning it, so without `mandatory` it would be silently dropped.
 */
export class UnroutedError extends Error {
  constructor(
    readonly exchange: string,
    readonly routingKey: string,
  ) {
    super(`the broker could not route the message to ${routingKey || exchange} (no such queue)`);
    this.name = 'UnroutedError';
  }
}

/** How long a return waits to be claimed by its publish before it is forgotten. */
const RETURN_MEMORY_MS = 5 * 60_000;

/**
 * Remembers the messages a channel had returned, so that the publish they belong to can tell it
 * was not routed. RabbitMQ sends `basic.return` before the `basic.ack` of the same message, so by
 * the time a publish's confirm arrives its return (if any) has been noted here.
 *
 * A return carries the message, not the publish sequence number, so it is matched on exchange,
 * routing key and message id (or the body when there is no id). Two unconfirmed publishes alike in
 * all of these were routed alike, so either may claim the return.
 */
export class ReturnTracker {
  private readonly returned = new Map<string, { count: number; at: number }>();

  /** Listens for returns on `channel` (call it for every new channel, e.g. from `setup`). */
  attach(channel: Channel | ConfirmChannel): void {
    channel.on('return', (msg: Message) => this.note(msg));
  }

  /** True, once, if the broker returned the message published with these fields. */
  take(exchange: string, routingKey: string, content: Buffer, messageId?: string): boolean {
    if (this.returned.size === 0) return false;
    const key = returnKey(exchange, routingKey, content, messageId);
    const entry = this.returned.get(key);
    if (!entry) return false;
    if (--entry.count === 0) this.returned.delete(key);
    return true;
  }

  private note(msg: Message): void {
    const now = Date.now();
    for (const [key, entry] of this.returned) {
      if (now - entry.at > RETURN_MEMORY_MS) this.returned.delete(key);
    }
    const { exchange, routingKey } = msg.fields;
    const messageId = msg.properties.messageId as string | undefined;
    const key = returnKey(exchange, routingKey, msg.content, messageId);
    const entry = this.returned.get(key);
    if (entry) {
      entry.count += 1;
      entry.at = now;
    } else this.returned.set(key, { count: 1, at: now });
  }
}

function returnKey(exchange: string, routingKey: string, content: Buffer, messageId?: string) {
  const identity = messageId ?? createHash('sha1').update(content).digest('base64');
  return `${exchange}\u0000${routingKey}\u0000${messageId === undefined ? 'body:' : 'id:'}${identity}`;
}

export interface RoutedPublisherOptions {
  /** Channel name, shown in logs and the management UI. */
  name: string;
  /** Declares what the publishes route to; runs on every (re)connect and again after a return. */
  setup: (channel: ConfirmChannel) => Promise<unknown>;
  /** How long a publish may wait for its confirm before it counts as failed. */
  confirmTimeoutMs: number;
  logger: Logger;
}

/**
 * A confirm channel on which every publish is `mandatory` and resolves only once the broker has
 * both routed and confirmed the message. A returned message makes the publisher declare its
 * topology again (an operator may have deleted a queue) and try once more; if it is returned
 * again, or not confirmed within `confirmTimeoutMs`, the publish rejects. While the connection is
 * down, publishes wait for it (amqp-connection-manager), bounded by the same timeout.
 */
export class RoutedPublisher {
  private readonly wrapper: ChannelWrapper;
  private readonly returns = new ReturnTracker();
  private channel: ConfirmChannel | undefined;

  constructor(
    connection: AmqpConnectionManager,
    private readonly options: RoutedPublisherOptions,
  ) {
    this.wrapper = connection.createChannel({
      name: options.name,
      confirm: true,
      json: false,
      publishTimeout: options.confirmTimeoutMs,
      setup: async (channel: ConfirmChannel) => {
        this.returns.attach(channel);
        this.channel = channel;
        await options.setup(channel);
      },
    });
    this.wrapper.on('error', (error: Error) =>
      options.logger.warn('publish channel setup failed', {
        channel: options.name,
        reason: error.message,
      }),
    );
  }

  /** Publishes to a queue through the default exchange. */
  sendToQueue(queue: string, content: Buffer, options: Options.Publish = {}): Promise<void> {
    return this.publish('', queue, content, options);
  }

  /** Rejects with `UnroutedError` when the message could not be routed even after re-declaring. */
  async publish(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: Options.Publish = {},
  ): Promise<void> {
    if (await this.publishOnce(exchange, routingKey, content, options)) return;
    this.options.logger.warn('message returned unrouted; declaring the topology again', {
      channel: this.options.name,
      routingKey,
      messageId: options.messageId,
    });
    await this.redeclare();
    if (await this.publishOnce(exchange, routingKey, content, options)) return;
    throw new UnroutedError(exchange, routingKey);
  }

  async close(): Promise<void> {
    await this.wrapper.close().catch(() => undefined);
  }

  /** True when routed and confirmed, false when returned; throws when not confirmed. */
  private async publishOnce(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: Options.Publish,
  ): Promise<boolean> {
    await this.wrapper.publish(exchange, routingKey, content, { ...options, mandatory: true });
    return !this.returns.take(exchange, routingKey, content, options.messageId);
  }

  private async redeclare(): Promise<void> {
    if (!this.channel) return; // reconnecting: setup declares everything anyway
    try {
      await this.options.setup(this.channel);
    } catch (error) {
      this.options.logger.warn('could not declare the topology again', {
        channel: this.options.name,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
