import { randomUUID } from 'node:crypto';
import {
  MESSAGE_ID_PATTERN,
  RoutedPublisher,
  TASK_STATUSES,
  type Logger,
  type ProcessingTask,
} from '@retro/common';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';

/** The message type of an announcement that an instance has viewers (its body is `[]`). */
const WATCHING = 'watching';
/** Notices one instance may have waiting for their confirms; past this, new ones are dropped. */
const MAX_IN_FLIGHT = 100;
/** Notices the broker keeps for an instance that does not take them fast enough (oldest go first). */
const QUEUE_MAX_LENGTH = 10_000;

export interface TaskNoticesOptions {
  connection: AmqpConnectionManager;
  /** The fanout exchange every instance publishes its task changes to (`task_changes`). */
  exchange: string;
  logger: Logger;
  /** Task changes another instance committed, in the order it committed them. */
  onNotice(tasks: ProcessingTask[]): void;
  /** Another instance announced that it has viewers (`announceWatching`). */
  onWatching(): void;
  /** Whether anyone here wants notices now; when nobody watches, they are not even parsed. */
  wanted(): boolean;
  /**
   * This instance's queue was declared and bound (again): notices published while it was away
   * (a broker restart, a lost connection) never reached it.
   */
  onSubscribed(): void;
  /** Counts: `published`, `failed` (refused, unroutable, timed out, dropped), `received`. */
  count(what: 'published' | 'failed' | 'received'): void;
}

/**
 * Task-change notices between backend instances. Each instance publishes the task states it
 * commits, a batch per message (a JSON array), to a fanout exchange, and consumes its own
 * exclusive, auto-delete, server-named queue bound to it. Both sides declare in their channel's
 * setup, so a reconnect declares everything again; the queue is bound for as long as the
 * instance is connected, so a returned notice means no instance listens at all.
 *
 * Notices are advisory: a lost one (an instance that died after its commit, a broker away) is
 * repaired by the feed's catch-up query, which `onSubscribed` triggers after a reconnect. And they
 * are not trusted: anything that can publish on the broker can send one, so a receiver takes only
 * the message ids from them and reads the states (live/index.ts).
 */
export class TaskNotices {
  /** Marks this instance's own notices, which it has delivered locally already. */
  private readonly instanceId = randomUUID();
  private readonly publisher: RoutedPublisher;
  private readonly subscriber: ChannelWrapper;
  private inFlight = 0;

  constructor(private readonly options: TaskNoticesOptions) {
    const declare = (channel: Channel | ConfirmChannel) =>
      // not durable and deleted with its last queue: it carries nothing worth keeping, and a
      // test's exchange goes away with the test's backends
      channel.assertExchange(options.exchange, 'fanout', { durable: false, autoDelete: true });
    this.publisher = new RoutedPublisher(options.connection, {
      name: 'task-notices',
      setup: declare,
      confirmTimeoutMs: 5000,
      logger: options.logger,
    });
    this.subscriber = options.connection.createChannel({
      name: 'task-notice-subscriber',
      confirm: false,
      setup: async (channel: Channel) => {
        await declare(channel);
        const { queue } = await channel.assertQueue('', {
          exclusive: true,
          autoDelete: true,
          arguments: { 'x-max-length': QUEUE_MAX_LENGTH },
        });
        await channel.bindQueue(queue, options.exchange, '');
        await channel.consume(queue, (msg) => this.receive(msg), { noAck: true });
        options.onSubscribed();
      },
    });
    this.subscriber.on('error', (error: Error) =>
      options.logger.warn('task notice subscription failed', { reason: error.message }),
    );
  }

  /** Publishes one notice; never waits and never throws (a lost notice is repaired later). */
  publish(tasks: ProcessingTask[]): void {
    if (tasks.length === 0) return;
    this.send(JSON.stringify(tasks), undefined, {
      sent: () => this.options.count('published'),
      lost: (reason) => {
        this.options.count('failed');
        this.options.logger.debug('task notice not published', { reason });
      },
    });
  }

  /**
   * Tells the other instances that this one has viewers. The body is an empty list of changes,
   * so an instance of an earlier version takes it as a notice about nothing.
   */
  announceWatching(): void {
    this.send('[]', WATCHING, {
      sent: () => undefined,
      lost: (reason) => this.options.logger.debug('viewers not announced', { reason }),
    });
  }

  private send(
    body: string,
    type: string | undefined,
    outcome: { sent(): void; lost(reason: string): void },
  ): void {
    if (!this.options.connection.isConnected() || this.inFlight >= MAX_IN_FLIGHT) {
      outcome.lost('broker away or too many notices waiting');
      return;
    }
    this.inFlight += 1;
    this.publisher
      .publish(this.options.exchange, '', Buffer.from(body), {
        contentType: 'application/json',
        appId: this.instanceId,
        ...(type ? { type } : {}),
      })
      .then(outcome.sent, (error: Error) => outcome.lost(error.message))
      .finally(() => (this.inFlight -= 1));
  }

  async close(): Promise<void> {
    await this.subscriber.close().catch(() => undefined);
    await this.publisher.close();
  }

  private receive(msg: ConsumeMessage | null): void {
    if (!msg || msg.properties.appId === this.instanceId) return;
    if (msg.properties.type === WATCHING) {
      this.options.onWatching();
      return;
    }
    this.options.count('received');
    if (!this.options.wanted()) return;
    try {
      const tasks = JSON.parse(msg.content.toString('utf8')) as unknown;
      if (Array.isArray(tasks)) this.options.onNotice(tasks.filter(isTask));
    } catch (error) {
      this.options.logger.warn('unreadable task notice skipped', {
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

/** The exchange is open to anything on the broker: only well-formed task states reach viewers. */
function isTask(value: unknown): value is ProcessingTask {
  const task = value as Partial<ProcessingTask> | null;
  return (
    typeof task?.messageId === 'string' &&
    MESSAGE_ID_PATTERN.test(task.messageId) &&
    TASK_STATUSES.includes(task.status!) &&
    typeof task.updatedAt === 'string' &&
    !Number.isNaN(Date.parse(task.updatedAt))
  );
}
