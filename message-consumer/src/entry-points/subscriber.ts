import { type Logger, type QueueNames, type TopologyOptions, assertTopology } from '@retro/common';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConsumeMessage } from 'amqplib';
import { errorMessage } from '../domain/failures.js';
import type { Delivery } from '../domain/delivery.js';

export interface SubscriberOptions {
  connection: AmqpConnectionManager;
  queues: QueueNames;
  /** Queue type and retry tiers, declared on every (re)connect like the queues themselves. */
  topology: TopologyOptions;
  logger: Logger;
  /** Unacked messages the broker hands this consumer, and so messages processed at once. */
  prefetch: number;
  /** Settles one delivery; never rejects. */
  handle(delivery: Delivery): Promise<void>;
  /** Counts acks that reached the channel. */
  onAck?: () => void;
}

/**
 * The consuming channel's lifecycle: subscribe on every (re)connect, pause and resume on request
 * (the circuit breaker), and stop gracefully. Each delivery is handed to `handle` with ack and
 * hand-back bound to the channel it arrived on: a delivery tag means nothing on the channel that
 * replaces it after a reconnect, and the broker redelivers what that channel left unacked anyway.
 * Nothing is published on this connection, so a broker resource alarm never blocks its acks.
 */
export class Subscriber {
  private wrapper: ChannelWrapper | undefined;
  private channel: Channel | undefined;
  private consumer: { channel: Channel; tag: string } | undefined;
  private paused = false;
  private stopping = false;
  private changes: Promise<void> = Promise.resolve();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: SubscriberOptions) {}

  start(): void {
    this.wrapper = this.options.connection.createChannel({
      name: 'message-consumer',
      confirm: false,
      json: false,
      setup: (channel: Channel) => this.setup(channel),
    });
    this.wrapper.on('error', (error) =>
      this.options.logger.error('consumer channel setup failed', { reason: errorMessage(error) }),
    );
  }

  /** Connected to the broker and subscribed to the main queue. */
  get consuming(): boolean {
    return this.consumer !== undefined && this.options.connection.isConnected();
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Stops taking deliveries; those already here are settled as usual. */
  pause(): Promise<void> {
    this.paused = true;
    return this.reconcile();
  }

  resume(): Promise<void> {
    this.paused = false;
    return this.reconcile();
  }

  /**
   * Stops taking messages and waits up to `graceMs` for those in flight (`beforeWait` tells the
   * handler to hand back what has not started), then `afterGrace`, then closes the channel: what
   * is still unacked is redelivered by the broker.
   */
  async stop(graceMs: number, beforeWait = () => {}, afterGrace = () => {}): Promise<void> {
    this.stopping = true;
    await this.reconcile();
    beforeWait();
    await settleWithin([...this.inFlight], graceMs);
    if (this.inFlight.size > 0) {
      this.options.logger.warn('stopping with messages in flight; the broker redelivers them', {
        inFlight: this.inFlight.size,
      });
    }
    afterGrace();
    await this.wrapper?.close();
  }

  /** Runs on every (re)connect: declare the queues, then subscribe unless paused. */
  private async setup(channel: Channel): Promise<void> {
    const { queues, topology, prefetch, logger } = this.options;
    await assertTopology(channel, queues, topology);
    await channel.prefetch(prefetch);
    // a broker-side channel close arrives as 'error' then 'close'; without a listener it would throw
    channel.on('error', (error: Error) =>
      logger.warn('consumer channel closed by the broker', { reason: error.message }),
    );
    channel.once('close', () => this.onChannelClosed(channel));
    this.channel = channel;
    await this.reconcile();
  }

  /** Subscribes or cancels so that the subscription matches the wanted state, one change at a time. */
  private reconcile(): Promise<void> {
    this.changes = this.changes.then(async () => {
      const channel = this.channel;
      const wanted = !this.paused && !this.stopping && channel !== undefined;
      if (wanted && !this.consumer) {
        const { consumerTag } = await channel.consume(
          this.options.queues.main,
          (msg) => (msg ? this.deliver(channel, msg) : this.onCancelledByBroker(channel)),
          { noAck: false },
        );
        this.consumer = { channel, tag: consumerTag };
        this.options.logger.info('consuming', { queue: this.options.queues.main });
      } else if (!wanted && this.consumer) {
        const { channel: subscribed, tag } = this.consumer;
        this.consumer = undefined;
        await subscribed.cancel(tag);
        this.options.logger.info('stopped consuming', { paused: this.paused });
      }
    });
    this.changes = this.changes.catch((error: unknown) => {
      this.options.logger.warn('could not change the subscription', {
        reason: errorMessage(error),
      });
    });
    return this.changes;
  }

  private deliver(channel: Channel, msg: ConsumeMessage): void {
    const { logger, onAck } = this.options;
    const delivery: Delivery = {
      content: msg.content,
      properties: msg.properties,
      ack() {
        try {
          channel.ack(msg);
          onAck?.();
        } catch {
          logger.info('channel closed before the ack; the broker will redeliver');
        }
      },
      handBack() {
        try {
          channel.nack(msg, false, true);
        } catch {
          // channel gone: the broker requeues everything it left unacked
        }
      },
    };
    const work = this.options.handle(delivery);
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** The queue was deleted or the broker cancelled us: get a fresh channel and subscribe again. */
  private onCancelledByBroker(channel: Channel): void {
    this.options.logger.warn('broker cancelled the subscription; resubscribing');
    channel.close().catch(() => undefined);
  }

  /**
   * amqp-connection-manager only builds a new channel on reconnect, so a channel closed by a
   * channel-level error would leave us idle on a live connection. Force a reconnect instead.
   */
  private onChannelClosed(channel: Channel): void {
    if (this.consumer?.channel === channel) this.consumer = undefined;
    if (this.channel === channel) this.channel = undefined;
    if (this.stopping) return;
    setTimeout(() => {
      if (!this.stopping && !this.channel && this.options.connection.isConnected()) {
        this.options.logger.warn('consumer channel closed on a live connection; reconnecting');
        this.options.connection.reconnect();
      }
    }, 1000).unref();
  }
}

/** Waits for `work` to settle, for at most `ms`. */
async function settleWithin(work: Promise<unknown>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([Promise.allSettled(work), timeout]);
  clearTimeout(timer);
}
