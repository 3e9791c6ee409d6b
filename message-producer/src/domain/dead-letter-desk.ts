import { AppError } from '@retro/common';
import type { Broker } from '../data-access/broker.js';
import { peekParked, replayAll, replayOne } from '../data-access/dead-letters.js';
import type { ProducerMetrics } from '../metrics.js';
import type { ParkedMessage } from './parked-messages.js';

const PEEK_TIMEOUT_MS = 10_000;
const REPLAY_TIMEOUT_MS = 120_000;

/**
 * Inspection and replay of the DLQ. Operations run one at a time: a listing holds the messages it
 * shows until it puts them back, and a replay running meanwhile would not see them.
 */
export class DeadLetterDesk {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly broker: Broker,
    private readonly metrics: ProducerMetrics,
  ) {}

  list(limit: number): Promise<{ queue: string; total: number; messages: ParkedMessage[] }> {
    return this.exclusive(async () => {
      const { dlq } = this.broker.queues;
      const found = await this.broker.withChannel(
        (ch) => peekParked(ch, dlq, limit),
        PEEK_TIMEOUT_MS,
      );
      return { queue: dlq, ...found };
    });
  }

  /** Replays one message (404 if it is not parked) or all of them; answers the replayed ids. */
  replay(
    target: { messageId: string } | { all: true },
  ): Promise<{ replayed: number; messageIds: string[] }> {
    return this.exclusive(async () => {
      const { queues } = this.broker;
      let messageIds: string[];
      if ('messageId' in target) {
        const found = await this.broker.withChannel(
          (ch) => replayOne(ch, queues, target.messageId),
          REPLAY_TIMEOUT_MS,
        );
        if (!found) throw AppError.notFound(`Parked message ${target.messageId}`);
        messageIds = [target.messageId];
      } else {
        messageIds = await this.broker.withChannel(
          (ch) => replayAll(ch, queues),
          REPLAY_TIMEOUT_MS,
        );
      }
      this.metrics.replayed.inc(messageIds.length);
      return { replayed: messageIds.length, messageIds };
    });
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work, work);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
