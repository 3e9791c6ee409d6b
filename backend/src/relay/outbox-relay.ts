import type { Logger, QueueNames, RoutedPublisher } from '@retro/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { withTransaction, type Pool, type Queryable } from '../data-access/db.js';
import * as outbox from '../data-access/outbox-repo.js';

export interface RelayOptions {
  pool: Pool;
  connection: AmqpConnectionManager;
  /** Resolves only once the broker has routed and confirmed the event (`mandatory`). */
  publisher: RoutedPublisher;
  queues: QueueNames;
  logger: Logger;
  /** Events claimed per transaction. */
  batchSize?: number;
  /** How often to look for events written by other instances or left after an outage. */
  pollIntervalMs?: number;
  /** Called with the number of events confirmed by the broker. */
  onPublished?: (count: number) => void;
  /** Called with the number of events the broker refused, returned or did not confirm in time. */
  onRefused?: (count: number) => void;
}

/**
 * Publishes outbox rows to `game_events` and marks them published only after the broker has routed
 * and confirmed them; a row whose event came back unrouted (its queue deleted) stays unpublished.
 * Rows are claimed with `FOR UPDATE SKIP LOCKED`, so several backends can relay side by side; an
 * event is published only when every earlier unpublished event of its game is in the same batch,
 * so each game's events leave in order even then.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private running: Promise<void> | undefined;
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  private pendingWake = false;

  constructor(private readonly options: RelayOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** New events were committed: look now instead of at the next poll. */
  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  /** Finishes the batch in progress, then stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.running;
  }

  /** Publishes one batch; returns how many events the broker confirmed. */
  async publishBatch(): Promise<number> {
    const { connection, publisher, queues, pool, logger } = this.options;
    if (!connection.isConnected()) return 0;
    // READ COMMITTED: under REPEATABLE READ the claiming `FOR UPDATE` also gap-locks the end of
    // the outbox index, so every API write inserting an event waited for the broker's confirms
    // and could deadlock with the relay (ER_LOCK_DEADLOCK, a 500 to the client)
    return withTransaction(
      pool,
      async (db) => {
        const claimed = await outbox.claimUnpublished(db, this.batchSize);
        if (claimed.length === 0) return 0;
        const ready = await this.inGameOrder(db, claimed);
        const results = await Promise.allSettled(
          ready.map((event) =>
            publisher.sendToQueue(queues.main, Buffer.from(event.payload), {
              persistent: true,
              contentType: 'application/json',
              messageId: event.eventId,
              timestamp: Math.floor(Date.now() / 1000),
              type: 'game_event',
            }),
          ),
        );
        const confirmed = ready.filter((_, i) => results[i]!.status === 'fulfilled');
        const refused = ready.filter((_, i) => results[i]!.status === 'rejected');
        await outbox.markPublished(
          db,
          confirmed.map((e) => e.id),
        );
        if (refused.length > 0) {
          await outbox.countFailedAttempt(
            db,
            refused.map((e) => e.id),
          );
          const reason = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult)
            .reason as Error;
          logger.warn('broker did not confirm events; they stay in the outbox', {
            count: refused.length,
            reason: reason?.message,
          });
        }
        if (refused.length > 0) this.options.onRefused?.(refused.length);
        if (confirmed.length > 0) {
          this.options.onPublished?.(confirmed.length);
          // one line per batch; the ids let one event be followed from the API to the consumer
          logger.info('outbox events published', {
            component: 'outbox-relay',
            count: confirmed.length,
            eventIds: confirmed.map((e) => e.eventId),
          });
        }
        return confirmed.length;
      },
      { readCommitted: true },
    );
  }

  /** Keeps the events whose every earlier unpublished event of the same game is claimed too. */
  private async inGameOrder(db: Queryable, claimed: outbox.OutboxEvent[]) {
    const mine = new Set(claimed.map((e) => e.id));
    const gameIds = [...new Set(claimed.flatMap((e) => (e.gameId === null ? [] : [e.gameId])))];
    const maxId = claimed[claimed.length - 1]!.id;
    const blocked = new Set<number>();
    for (const row of await outbox.unpublishedOfGames(db, gameIds, maxId)) {
      if (!mine.has(row.id)) blocked.add(row.gameId);
      else if (blocked.has(row.gameId)) mine.delete(row.id);
    }
    return claimed.filter((e) => mine.has(e.id));
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.pendingWake = false;
      let published = 0;
      try {
        published = await this.publishBatch();
      } catch (error) {
        this.options.logger.error('outbox relay batch failed', { error });
      }
      if (this.stopped) break;
      if (published < this.batchSize && !this.pendingWake) await this.sleep(this.pollIntervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
