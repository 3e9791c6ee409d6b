import { hostname } from 'node:os';
import {
  isDatabaseUnavailable,
  type Logger,
  type QueueNames,
  type RoutedPublisher,
} from '@retro/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { withTransaction, type Pool, type Queryable } from '../data-access/db.js';
import * as outbox from '../data-access/outbox-repo.js';
import { relayBackoffMs } from './backoff.js';

/** Why the relay paused: the database away, confirmed events it could not mark, anything else. */
export type RelayPauseReason = 'database' | 'mark-failed' | 'error';

/** Names this relay in the `published` steps of the journeys. */
const RELAY_INSTANCE = `${hostname()}:${process.pid}`;

export interface RelayOptions {
  pool: Pool;
  connection: AmqpConnectionManager;
  /** Resolves only once the broker has routed and confirmed the event (`mandatory`). */
  publisher: RoutedPublisher;
  queues: QueueNames;
  logger: Logger;
  /** Events claimed per transaction. */
  batchSize?: number;
  /** Whether the publish mark records the `published` step of each event's journey. */
  recordJourney?: boolean;
  /** How often to look for events written by other instances or left after an outage. */
  pollIntervalMs?: number;
  /** Called with the number of events confirmed by the broker. */
  onPublished?: (count: number) => void;
  /** Called with the number of events the broker refused, returned or did not confirm in time. */
  onRefused?: (count: number) => void;
  /** Called when a batch failed and the relay pauses before the next one. */
  onPause?: (reason: RelayPauseReason) => void;
  /**
   * Called with the number of events the broker confirmed whose "published" mark then failed to
   * commit: they stay unpublished and go out again, and the consumer acks the copies as duplicates.
   */
  onMarkFailed?: (count: number) => void;
  /** Pauses after failed batches: doubling from `baseMs` to `maxMs`, half of it random. */
  backoff?: { baseMs: number; maxMs: number };
}

/** A failed batch, with what the relay makes of it. */
class BatchFailure extends Error {
  constructor(
    readonly reason: RelayPauseReason,
    readonly error: unknown,
  ) {
    super(reason, { cause: error });
  }
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
  private readonly backoff: { baseMs: number; maxMs: number };
  /** Failed batches in a row; the next pause grows with it. */
  private failures = 0;
  private running: Promise<void> | undefined;
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  private pendingWake = false;

  constructor(private readonly options: RelayOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.backoff = options.backoff ?? { baseMs: 500, maxMs: 10_000 };
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

  /**
   * Publishes one batch; returns how many events the broker confirmed. Throws a BatchFailure
   * saying why when the batch failed: `mark-failed` when the broker had confirmed events whose
   * "published" mark did not commit (they go out again: the consumer acks those as duplicates).
   */
  async publishBatch(): Promise<number> {
    let confirmedCount = 0;
    try {
      return await this.publishAndMark((count) => (confirmedCount = count));
    } catch (error) {
      if (confirmedCount > 0) {
        this.options.onMarkFailed?.(confirmedCount);
        throw new BatchFailure('mark-failed', error);
      }
      throw new BatchFailure(isDatabaseUnavailable(error) ? 'database' : 'error', error);
    }
  }

  private async publishAndMark(onConfirmed: (count: number) => void): Promise<number> {
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
        const sentAt = new Date();
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
        onConfirmed(confirmed.length);
        await outbox.markPublished(
          db,
          confirmed,
          this.options.recordJourney === false ? null : { instance: RELAY_INSTANCE, sentAt },
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
      let published: number;
      try {
        published = await this.publishBatch();
        if (this.failures > 0) {
          this.options.logger.info('outbox relay resumed', {
            component: 'outbox-relay',
            failedBatches: this.failures,
          });
        }
        this.failures = 0;
      } catch (error) {
        if (this.stopped) break;
        // a pause that new writes cannot cut short: while the database is away or marks fail,
        // every API write would otherwise start the same failing batch again at once
        await this.sleep(this.pause(error), { wakeable: false });
        continue;
      }
      if (this.stopped) break;
      if (published < this.batchSize && !this.pendingWake) await this.sleep(this.pollIntervalMs);
    }
  }

  /** Counts and logs a failed batch; returns how long to wait before the next one. */
  private pause(error: unknown): number {
    const failure = error instanceof BatchFailure ? error : new BatchFailure('error', error);
    this.failures += 1;
    const ms = relayBackoffMs(this.failures, this.backoff);
    this.options.onPause?.(failure.reason);
    const cause = failure.error as { code?: string; message?: string } | undefined;
    const fields = {
      component: 'outbox-relay',
      reason: failure.reason,
      error: cause?.code ?? cause?.message,
      failedBatches: this.failures,
      retryInMs: ms,
    };
    if (failure.reason === 'error') this.options.logger.error('outbox relay paused', fields);
    else this.options.logger.warn('outbox relay paused', fields);
    return ms;
  }

  private sleep(ms: number, { wakeable = true } = {}): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      // stop() always ends a sleep; wake() only a poll's
      this.wakeUp = wakeable ? done : () => (this.stopped ? done() : undefined);
    });
  }
}
