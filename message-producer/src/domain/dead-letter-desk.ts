import type { ConfirmChannel } from 'amqplib';
import { AppError, assertTopology } from '@retro/common';
import type { Broker } from '../data-access/broker.js';
import {
  type DeclareQueues,
  type ReplayOutcome,
  peekParked,
  replayAll,
  replayOne,
} from '../data-access/dead-letters.js';
import type { ProducerMetrics } from '../metrics.js';
import type { ParkedMessage } from './parked-messages.js';

const PEEK_TIMEOUT_MS = 10_000;
const REPLAY_TIMEOUT_MS = 120_000;

export interface DeadLetterDeskOptions {
  /** Declares the queues a replay routes to when a copy comes back unrouted (default: all three). */
  declareQueues?: DeclareQueues;
}

/**
 * Inspection and replay of the DLQ. Operations run one at a time: a listing holds the messages it
 * shows until it puts them back, and a replay running meanwhile would not see them.
 */
export class DeadLetterDesk {
  private tail: Promise<unknown> = Promise.resolve();

  private readonly declare: DeclareQueues;

  constructor(
    private readonly broker: Broker,
    private readonly metrics: ProducerMetrics,
    options: DeadLetterDeskOptions = {},
  ) {
    this.declare = options.declareQueues ?? assertTopology;
  }

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

  /**
   * Replays one message (404 if it is not parked) or all of them; answers the replayed ids. A 503
   * says how many were replayed when the broker could not route the rest, which stay parked.
   */
  replay(
    target: { messageId: string } | { all: true },
  ): Promise<{ replayed: number; messageIds: string[] }> {
    return this.exclusive(async () => {
      const outcome = await this.broker.withChannel(
        (channel) => this.move(channel, target),
        REPLAY_TIMEOUT_MS,
      );
      this.metrics.replayed.inc(outcome.replayed.length);
      if (outcome.unrouted > 0) throw unroutedReplay(outcome, this.broker.queues.main);
      return { replayed: outcome.replayed.length, messageIds: outcome.replayed };
    });
  }

  private async move(
    channel: ConfirmChannel,
    target: { messageId: string } | { all: true },
  ): Promise<ReplayOutcome> {
    const { queues } = this.broker;
    if ('all' in target) return replayAll(channel, queues, this.declare);
    const outcome = await replayOne(channel, queues, target.messageId, this.declare);
    if (!outcome) throw AppError.notFound(`Parked message ${target.messageId}`);
    return outcome;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work, work);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

function unroutedReplay({ replayed, unrouted }: ReplayOutcome, queue: string): AppError {
  const copies = unrouted === 1 ? '1 message' : `${unrouted} messages`;
  return AppError.unavailable(
    `Replayed ${replayed.length} parked message${replayed.length === 1 ? '' : 's'}; the broker ` +
      `could not route ${copies} to ${queue}, even after declaring the queue again. ` +
      'Those, and any not reached yet, stay parked.',
  );
}
