import { EventEmitter } from 'node:events';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import {
  type Logger,
  type QueueNames,
  type TopologyOptions,
  assertTopology,
  connectBroker,
} from '@retro/common';
import type { Pool } from 'mysql2/promise';
import { archiveTablesExist } from '../data-access/archive-writes.js';
import { storeBatch } from '../domain/archive-batch.js';
import { type ArchiveRecord, toArchiveRecord } from '../domain/archived-message.js';

export interface DlqArchiverOptions {
  /** amqp:// URL of RabbitMQ (or several nodes' URLs, comma-separated); a connection of its own. */
  url: string;
  queues: QueueNames;
  /** Queue type (and tiers) the queues are declared with; default classic. */
  topology?: TopologyOptions;
  pool: Pool;
  logger: Logger;
  /** Unacknowledged parked messages the broker hands over at once (default 200). */
  prefetch?: number;
  /** Most messages stored in one transaction (default 100). */
  batchSize?: number;
  /**
   * Most body bytes stored in one transaction (default 4 MiB), well under MySQL's
   * `max_allowed_packet` (16 MiB on MariaDB); a bigger message goes alone.
   */
  batchBytes?: number;
  /** How long a batch waits for more messages before it is stored (default 20 ms). */
  lingerMs?: number;
  /** How often to look again for the archive's tables until they exist (default 2 s). */
  schemaPollMs?: number;
}

interface Held {
  record: ArchiveRecord;
  ack: () => void;
}

/** How long to wait before subscribing again after the broker cancelled the subscription. */
const RESUBSCRIBE_MS = 1_000;

/**
 * Moves parked messages from the DLQ into MySQL: takes them with manual acks, stores a batch in
 * one transaction and acks each message only after the commit. A crash in between redelivers
 * messages already stored; their archive key is found and they are acked without a second row.
 * A batch the database could not take is held (not acked, not requeued) and stored again after a
 * backoff, so a database outage stalls the archiver without losing or reordering anything. A batch
 * refused for its values is different: sending it again would fail forever and hold up everything
 * parked after it. It is split in halves down to single records, and one refused alone goes to
 * the quarantine with the database's reason (storeBatch).
 *
 * Emits `archived` (ArchiveOutcome) after each batch is committed, before its acks; `quarantined`
 * (QuarantineOutcome) likewise for each record quarantined; `failed` for each batch that could not
 * be stored and is held; `waiting` while the tables are missing.
 */
export class DlqArchiver extends EventEmitter {
  private connection: AmqpConnectionManager | undefined;
  private channel: ChannelWrapper | undefined;
  private buffer: Held[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Resolves on stop(), cutting short the waits between retries. */
  private readonly stopping: Promise<void>;
  private wakeForStop: () => void = () => undefined;
  private schemaReady = false;
  private readonly prefetch: number;
  private readonly batchSize: number;
  private readonly lingerMs: number;

  constructor(private readonly options: DlqArchiverOptions) {
    super();
    this.prefetch = options.prefetch ?? 200;
    this.batchSize = options.batchSize ?? 100;
    this.lingerMs = options.lingerMs ?? 20;
    this.stopping = new Promise((resolve) => (this.wakeForStop = resolve));
  }

  /** True once the archive's tables were found and the archiver consumes the DLQ. */
  get ready(): boolean {
    return this.schemaReady;
  }

  /** Starts in the background: waits for the archive's tables, then consumes. */
  start(): void {
    void this.waitForSchema().then(() => {
      if (!this.stopped) this.subscribe();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeForStop();
    clearTimeout(this.timer);
    await this.flushing;
    // what is still buffered was never stored: closing the channel hands it back to the DLQ
    this.buffer = [];
    await this.channel?.close().catch(() => undefined);
    await this.connection?.close().catch(() => undefined);
  }

  private async waitForSchema(): Promise<void> {
    let logged = false;
    while (!this.stopped) {
      try {
        if (await archiveTablesExist(this.options.pool)) {
          this.schemaReady = true;
          return;
        }
      } catch (error) {
        this.options.logger.debug('archive tables not readable yet', { error });
      }
      if (!logged) {
        this.options.logger.warn(
          'dead-letter archive tables missing; parked messages stay in the DLQ until the backend has applied its migrations',
        );
        logged = true;
      }
      this.emit('waiting');
      await this.pause(this.options.schemaPollMs ?? 2_000);
    }
  }

  private subscribe(): void {
    const { url, logger } = this.options;
    this.connection = connectBroker(url, logger, 'message-producer-archiver');
    this.channel = this.connection.createChannel({
      name: 'dlq-archiver',
      confirm: false,
      setup: async (channel: ConfirmChannel) => {
        await channel.prefetch(this.prefetch);
        await this.consume(channel);
      },
    });
    this.channel.on('error', (error: Error) =>
      logger.warn('archiver channel setup failed', { reason: error.message }),
    );
  }

  /**
   * Declares the queues and subscribes. The broker cancels the subscription when the DLQ is
   * deleted (an operator, a reset): the queue is then declared again and consumed anew.
   */
  private async consume(channel: ConfirmChannel): Promise<void> {
    const { queues, topology, logger } = this.options;
    await assertTopology(channel, queues, topology);
    await channel.consume(
      queues.dlq,
      (msg) => {
        if (msg) return this.receive(channel, msg);
        logger.warn('the broker cancelled the archiver subscription; subscribing again', {
          queue: queues.dlq,
        });
        setTimeout(() => {
          if (this.stopped) return;
          this.consume(channel).catch((error: unknown) =>
            logger.warn('could not subscribe again; waiting for a reconnect', { error }),
          );
        }, RESUBSCRIBE_MS);
      },
      { noAck: false },
    );
  }

  private receive(channel: ConfirmChannel, msg: ConsumeMessage): void {
    // the ack is bound to the channel the message came on: after a reconnect the broker has
    // requeued it already, and its delivery tag means nothing on the new channel
    const ack = () => {
      try {
        channel.ack(msg);
      } catch {
        // channel gone: the message is redelivered and recognised by its archive key
      }
    };
    this.buffer.push({ record: toArchiveRecord(msg.content, msg.properties), ack });
    if (this.buffer.length >= this.batchSize) this.scheduleFlush(0);
    else this.scheduleFlush(this.lingerMs);
  }

  private scheduleFlush(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flushing.then(() => this.flush());
    }, delayMs);
  }

  /** Stores everything buffered, one batch at a time, retrying a held batch until it lands. */
  private async flush(): Promise<void> {
    let backoffMs = 250;
    while (this.buffer.length > 0 && !this.stopped) {
      const batch = this.nextBatch();
      try {
        await this.store(batch);
      } catch (error) {
        this.options.logger.warn('could not archive parked messages; holding them and retrying', {
          count: batch.length,
          retryInMs: backoffMs,
          error,
        });
        this.emit('failed', error);
        await this.pause(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 10_000);
        continue;
      }
      backoffMs = 250;
    }
  }

  /**
   * Stores `batch`, the head of the buffer; each part committed (all of it, or its halves after
   * the archive refused its values) leaves the buffer and is acked.
   */
  private store(batch: Held[]): Promise<void> {
    const { pool, logger } = this.options;
    return storeBatch(
      pool,
      batch,
      {
        archived: (part, outcome) => {
          this.buffer.splice(0, part.length);
          // emitted between the commit and the acks: a crash test stops the process right here
          this.emit('archived', outcome);
          for (const held of part) held.ack();
        },
        quarantined: (held, outcome) => {
          this.buffer.splice(0, 1);
          this.emit('quarantined', outcome);
          held.ack();
        },
        // the rest goes back to the DLQ as the channel closes
        stopped: () => this.stopped,
      },
      logger,
    );
  }

  /** The first buffered messages, bounded by count and by body bytes (at least one). */
  private nextBatch(): Held[] {
    const maxBytes = this.options.batchBytes ?? 4 * 1024 * 1024;
    let bytes = 0;
    let end = 0;
    while (end < Math.min(this.buffer.length, this.batchSize)) {
      bytes += this.buffer[end]!.record.body.length;
      if (end > 0 && bytes > maxBytes) break;
      end += 1;
    }
    return this.buffer.slice(0, end);
  }

  private pause(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const elapsed = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    return Promise.race([elapsed, this.stopping]).finally(() => clearTimeout(timer));
  }
}
