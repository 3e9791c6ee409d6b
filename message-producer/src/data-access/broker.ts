import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { ConfirmChannel, Options } from 'amqplib';
import {
  AppError,
  type Logger,
  type QueueNames,
  type RoutedPublisher,
  type TopologyOptions,
  UnroutedError,
  connectBroker,
  createTopologyPublisher,
} from '@retro/common';
import type { OutgoingMessage } from '../domain/messages.js';

export interface BrokerOptions {
  /** amqp:// URL of RabbitMQ, or several nodes' URLs separated by commas. */
  url: string;
  queues: QueueNames;
  /** Queue type and retry tiers, declared as every service declares them. */
  topology: TopologyOptions;
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
  private readonly publisher: RoutedPublisher;

  constructor(private readonly options: BrokerOptions) {
    this.connection = connectBroker(options.url, options.logger, 'message-producer');
    this.publisher = createTopologyPublisher(this.connection, options.queues, {
      name: 'message-producer-publish',
      logger: options.logger,
      confirmTimeoutMs: options.publishTimeoutMs,
      topology: options.topology,
    });
  }

  get queues(): QueueNames {
    return this.options.queues;
  }

  get topology(): TopologyOptions {
    return this.options.topology;
  }

  isConnected(): boolean {
    return this.connection.isConnected();
  }

  /** Resolves only once the broker has routed and confirmed the message. */
  publish(queue: string, message: OutgoingMessage): Promise<void> {
    return this.send(queue, message.content, {
      contentType: 'application/json',
      messageId: message.messageId,
      timestamp: Math.floor(Date.now() / 1000),
      appId: 'message-producer',
      headers: message.headers,
    });
  }

  /**
   * Publishes persistent `content` with the given properties (a replayed copy keeps its
   * original's); resolves only once the broker has routed and confirmed it.
   */
  async send(queue: string, content: Buffer, properties: Options.Publish): Promise<void> {
    this.assertConnected();
    try {
      await this.publisher.sendToQueue(queue, content, { ...properties, persistent: true });
    } catch (error) {
      if (error instanceof UnroutedError) {
        throw AppError.unavailable(
          `The message broker could not route the message to ${queue}`,
          error,
        );
      }
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
    await this.publisher.close();
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
