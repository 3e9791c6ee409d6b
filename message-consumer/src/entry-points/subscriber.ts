import { EventEmitter } from 'node:events';
import {
  HEADERS,
  assertTopology,
  type Logger,
  type QueueNames,
  withLogContext,
} from '@retro/common';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { BackendClient } from '../data-access/backend-client.js';
import { type CopyExtras, publishCopy } from '../data-access/message-copies.js';
import { errorMessage } from '../domain/failures.js';
import { KeyedSerialExecutor } from '../domain/keyed-serial-executor.js';
import { type Job, type TaskRef, parseMessage } from '../domain/message.js';
import { processJob, statusUpdate } from '../domain/process-job.js';
import { type FailureDecision, decideFailure, readRetryCount } from '../domain/retry-policy.js';
import type { Metrics } from '../metrics.js';

/** How one delivery ended. Emitted as `settled` after the broker has the outcome. */
export interface Settlement {
  /** Null for poison that carried no id. */
  messageId: string | null;
  /**
   * `completed`: this delivery finished its task. `duplicate`: the task was already finished.
   * `retried`: sent to the retry queue. `parked`: sent to the DLQ. `requeued`: handed back to the
   * queue (shutdown, or the broker could not take the retry/park copy).
   */
  outcome: 'completed' | 'duplicate' | 'retried' | 'parked' | 'requeued';
  /** `x-retry-count` of the delivery that settled. */
  retryCount: number;
  /** For `retried`: how long the retry queue holds the copy. */
  delayMs?: number;
  /** For `retried` and `parked`: the error. */
  reason?: string;
}

export interface SubscriberEvents {
  settled: [Settlement];
}

export interface SubscriberOptions {
  connection: AmqpConnectionManager;
  queues: QueueNames;
  backend: BackendClient;
  metrics: Metrics;
  logger: Logger;
  /** Unacked messages the broker hands this consumer, and so messages processed at once. */
  prefetch: number;
  /** Retries after the first attempt before a transiently failing message is parked. */
  maxRetries: number;
  /** Backoff before the first retry; doubled for each further one. */
  retryDelayMs: number;
  /** Simulated work per message. */
  processingDelayMs: number;
}

/**
 * Consumes the main queue with manual acks. Every delivery ends in exactly one of: ack after
 * completion, ack after a confirmed copy went to the retry queue or the DLQ, or a requeue.
 *
 * Acks and copies go through the raw channel the message arrived on: a delivery tag means nothing
 * on the channel that replaces it after a reconnect, and the broker redelivers what that channel
 * left unacked anyway.
 */
export class Subscriber extends EventEmitter<SubscriberEvents> {
  private channelWrapper: ChannelWrapper | undefined;
  private current: { channel: ConfirmChannel; consumerTag: string } | undefined;
  private stopping = false;
  private readonly executor = new KeyedSerialExecutor();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: SubscriberOptions) {
    super();
  }

  start(): void {
    const { connection, logger } = this.options;
    this.channelWrapper = connection.createChannel({
      name: 'message-consumer',
      confirm: true,
      json: false,
      setup: (channel: ConfirmChannel) => this.setup(channel),
    });
    this.channelWrapper.on('error', (error) =>
      logger.error('consumer channel setup failed', { reason: errorMessage(error) }),
    );
  }

  /** Connected to the broker and subscribed to the main queue. */
  get consuming(): boolean {
    return this.current !== undefined && this.options.connection.isConnected();
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /**
   * Stops taking messages, lets in-flight ones finish for up to `graceMs` (queued ones are handed
   * back at once), then closes the channel; whatever is still unacked is redelivered by the broker.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    const current = this.current;
    this.current = undefined;
    if (current) await current.channel.cancel(current.consumerTag).catch(() => undefined);
    const deadline = Date.now() + graceMs;
    while (this.inFlight.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((r) => (timer = setTimeout(r, deadline - Date.now())));
      await Promise.race([Promise.allSettled([...this.inFlight]), timeout]);
      clearTimeout(timer);
    }
    if (this.inFlight.size > 0) {
      this.options.logger.warn(
        'stopping with messages still in flight; the broker redelivers them',
        {
          inFlight: this.inFlight.size,
        },
      );
    }
    await this.channelWrapper?.close();
  }

  /** Runs on every (re)connect: declare the queues, then subscribe. */
  private async setup(channel: ConfirmChannel): Promise<void> {
    const { queues, prefetch, logger } = this.options;
    await assertTopology(channel, queues);
    if (this.stopping) return;
    await channel.prefetch(prefetch);
    const { consumerTag } = await channel.consume(
      queues.main,
      (msg) => (msg ? this.track(this.handle(channel, msg)) : this.onCancelledByBroker(channel)),
      { noAck: false },
    );
    this.current = { channel, consumerTag };
    // a broker-side channel close arrives as 'error' then 'close'; without a listener it would throw
    channel.on('error', (error: Error) =>
      logger.warn('consumer channel closed by the broker', { reason: error.message }),
    );
    channel.once('close', () => this.onChannelClosed(channel));
    logger.info('consuming', { queue: queues.main, prefetch });
  }

  /** The queue was deleted or the broker cancelled us: get a fresh channel and subscribe again. */
  private onCancelledByBroker(channel: ConfirmChannel): void {
    this.options.logger.warn('broker cancelled the subscription; resubscribing');
    channel.close().catch(() => undefined);
  }

  /**
   * amqp-connection-manager only builds a new channel on reconnect, so a channel closed by a
   * channel-level error would leave us idle on a live connection. Force a reconnect instead.
   */
  private onChannelClosed(channel: ConfirmChannel): void {
    if (this.current?.channel === channel) this.current = undefined;
    if (this.stopping) return;
    setTimeout(() => {
      if (!this.stopping && !this.current && this.options.connection.isConnected()) {
        this.options.logger.warn('consumer channel closed on a live connection; reconnecting');
        this.options.connection.reconnect();
      }
    }, 1000).unref();
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async handle(channel: ConfirmChannel, msg: ConsumeMessage): Promise<void> {
    const { metrics, logger } = this.options;
    const stopTimer = metrics.duration.startTimer();
    metrics.consumed.inc();
    metrics.inFlight.inc();
    const retryCount = readRetryCount(msg.properties.headers);
    const parsed = parseMessage(msg.content, msg.properties.messageId, msg.properties.headers);
    const messageId = parsed.ok ? parsed.job.task.messageId : (parsed.task?.messageId ?? null);
    let outcome: Settlement['outcome'] = 'requeued';
    try {
      outcome = await withLogContext({ eventId: messageId ?? undefined }, () =>
        parsed.ok
          ? this.executor.run(parsed.job.key, () =>
              this.attempt(channel, msg, parsed.job, retryCount),
            )
          : this.park(channel, msg, parsed.task, retryCount, parsed.reason),
      );
    } catch (error) {
      // attempt/park catch everything they expect; this is a bug, and the message stays unacked
      logger.error('unexpected error while handling a message', { error });
    } finally {
      metrics.inFlight.dec();
      stopTimer({ outcome });
    }
  }

  private async attempt(
    channel: ConfirmChannel,
    msg: ConsumeMessage,
    job: Job,
    retryCount: number,
  ): Promise<Settlement['outcome']> {
    const { task } = job;
    if (this.stopping) return this.requeue(channel, msg, task.messageId, retryCount);
    const { backend, processingDelayMs, maxRetries, retryDelayMs, metrics, logger } = this.options;
    try {
      const outcome = await processJob(job, retryCount + 1, { backend, processingDelayMs });
      this.ack(channel, msg);
      if (outcome === 'completed') metrics.completed.inc();
      logger.info(outcome === 'completed' ? 'message completed' : 'already finished; acked', {
        gameId: task.gameId,
        action: task.action,
        attempt: retryCount + 1,
      });
      return this.settle({ messageId: task.messageId, outcome, retryCount });
    } catch (error) {
      const decision = decideFailure(error, retryCount, maxRetries, retryDelayMs);
      return decision.action === 'retry'
        ? this.retry(channel, msg, task, retryCount, decision)
        : this.park(channel, msg, task, retryCount, decision.reason);
    }
  }

  private async retry(
    channel: ConfirmChannel,
    msg: ConsumeMessage,
    task: TaskRef,
    retryCount: number,
    decision: Extract<FailureDecision, { action: 'retry' }>,
  ): Promise<Settlement['outcome']> {
    const { queues, metrics, logger } = this.options;
    const sent = await this.copyTo(channel, this.options.queues.retry, msg, {
      headers: { [HEADERS.retryCount]: decision.nextRetryCount },
      expiration: String(decision.delayMs),
    });
    if (!sent) return this.requeue(channel, msg, task.messageId, retryCount);
    this.ack(channel, msg);
    metrics.retried.inc();
    logger.warn('transient failure; retrying later', {
      reason: decision.reason,
      retryCount: decision.nextRetryCount,
      delayMs: decision.delayMs,
      via: queues.retry,
    });
    return this.settle({
      messageId: task.messageId,
      outcome: 'retried',
      retryCount,
      delayMs: decision.delayMs,
      reason: decision.reason,
    });
  }

  /**
   * Parks the message in the DLQ (confirmed), acks it, then marks its task failed. Parking comes
   * first so that a failed task always has its message in the DLQ.
   */
  private async park(
    channel: ConfirmChannel,
    msg: ConsumeMessage,
    task: TaskRef | null,
    retryCount: number,
    reason: string,
  ): Promise<Settlement['outcome']> {
    const { backend, metrics, logger } = this.options;
    const sent = await this.copyTo(channel, this.options.queues.dlq, msg, {
      headers: {
        [HEADERS.error]: reason.slice(0, 1000),
        [HEADERS.failedAt]: new Date().toISOString(),
        [HEADERS.retryCount]: retryCount,
      },
    });
    const messageId = task?.messageId ?? null;
    if (!sent) return this.requeue(channel, msg, messageId, retryCount);
    this.ack(channel, msg);
    metrics.parked.inc();
    logger.warn('message parked', { reason, retryCount, gameId: task?.gameId });
    if (task) {
      try {
        await backend.reportStatus(
          task.messageId,
          statusUpdate(task, 'failed', retryCount + 1, reason),
        );
        metrics.failed.inc();
      } catch (error) {
        logger.warn('could not mark the task failed', { reason: errorMessage(error) });
      }
    }
    return this.settle({ messageId, outcome: 'parked', retryCount, reason });
  }

  /** Publishes a copy of `msg` to `queue` and waits for the confirm; false if it was not taken. */
  private async copyTo(
    channel: ConfirmChannel,
    queue: string,
    msg: ConsumeMessage,
    extra: CopyExtras,
  ): Promise<boolean> {
    try {
      await publishCopy(channel, queue, msg, extra);
      return true;
    } catch (error) {
      this.options.logger.warn('broker did not take the copy', {
        queue,
        reason: errorMessage(error),
      });
      return false;
    }
  }

  private requeue(
    channel: ConfirmChannel,
    msg: ConsumeMessage,
    messageId: string | null,
    retryCount: number,
  ): Settlement['outcome'] {
    try {
      channel.nack(msg, false, true);
    } catch {
      // channel gone: the broker requeues everything it left unacked
    }
    return this.settle({ messageId, outcome: 'requeued', retryCount });
  }

  private ack(channel: ConfirmChannel, msg: ConsumeMessage): void {
    try {
      channel.ack(msg);
      this.options.metrics.acked.inc();
    } catch {
      this.options.logger.info('channel closed before the ack; the broker will redeliver');
    }
  }

  private settle(settlement: Settlement): Settlement['outcome'] {
    this.emit('settled', settlement);
    return settlement.outcome;
  }
}
