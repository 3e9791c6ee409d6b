import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel } from 'amqplib';
import {
  AppError,
  type Logger,
  type QueueNames,
  connectBroker,
  createTopologyChannel,
} from '@retro/common';
import type { OutgoingMessage } from '../domain/messages.js';

export interface BrokerOptions {
  /** amqp:// URL of RabbitMQ. */
  url: string;
  queues: QueueNames;
  logger: Logger;
  /** How long a publish may wait for the broker's confirm before it counts as failed. */
  publishTimeoutMs: number;
}

/**
 * The producer's link to RabbitMQ: one reconnecting connection, one confirm channel for publishing
 * and short-lived channels for inspecting queues. Every method fails fast with a 503 while the
 * broker is away instead of buffering work nobody will wait for.
 */
export class Broker {
  private readonly connection: AmqpConnectionManager;
  private readonly channel: ChannelWrapper;

  constructor(private readonly options: BrokerOptions) {
    this.connection = connectBroker(options.url, options.logger, 'message-producer');
    this.channel = createTopologyChannel(this.connection, options.queues, {
      name: 'message-producer-publish',
      publishTimeout: options.publishTimeoutMs,
    });
    this.channel.on('error', (err: Error) =>
      options.logger.warn('publish channel error', { reason: err.message }),
    );
  }

  get queues(): QueueNames {
    return this.options.queues;
  }

  isConnected(): boolean {
    return this.connection.isConnected();
  }

  /** Resolves only once the broker has confirmed the message. */
  async publish(queue: string, message: OutgoingMessage): Promise<void> {
    this.assertConnected();
    try {
      await this.channel.sendToQueue(queue, message.content, {
        persistent: true,
        contentType: 'application/json',
        messageId: message.messageId,
        timestamp: Math.floor(Date.now() / 1000),
        appId: 'message-producer',
        headers: message.headers,
      });
    } catch (error) {
      throw AppError.unavailable('The message broker did not confirm the message', error);
    }
  }

  /**
   * Runs `work` on a confirm channel of its own that is closed afterwards. Messages `work` got but
   * did not ack go back to their queue when the channel closes, whatever happened: nothing is lost.
   */
  async withChannel<T>(
    work: (channel: ConfirmChannel) => Promise<T>,
    timeoutMs: number,
  ): Promise<T> {
    this.assertConnected();
    const model = this.connection.connection;
    if (!model) throw unreachable();
    let channel: ConfirmChannel;
    try {
      channel = await model.createConfirmChannel();
    } catch (error) {
      throw unreachable(error);
    }
    // a channel-level error (e.g. a missing queue) closes the channel and rejects the pending call
    channel.on('error', (err: Error) =>
      this.options.logger.debug('channel closed', { reason: err.message }),
    );
    const running = work(channel);
    running.catch(() => undefined); // observed below; avoids an unhandled rejection after a timeout
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(unreachable(new Error(`timed out after ${timeoutMs} ms`))),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([running, timeout]);
    } catch (error) {
      throw error instanceof AppError ? error : unreachable(error);
    } finally {
      clearTimeout(timer);
      await channel.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined);
    await this.connection.close();
  }

  private assertConnected(): void {
    if (!this.isConnected()) throw unreachable();
  }
}

function unreachable(cause?: unknown): AppError {
  const reason = cause instanceof Error ? `: ${cause.message}` : '';
  return AppError.unavailable(`The message broker is unreachable${reason}`, cause);
}
