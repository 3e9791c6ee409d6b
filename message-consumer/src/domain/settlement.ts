import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DELIVERY_LIMITS,
  HEADERS,
  type Logger,
  MAX_RETRY_COUNT_HEADER,
  type QueueNames,
  readCount,
  readCountHeader,
  retryTierQueue,
  retryTiers,
  tierFor,
  deliveryBeyondLimits,
  withLogContext,
} from '@retro/common';
import type { BackendClient } from '../data-access/backend-client.js';
import type { Metrics } from '../metrics.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { DownstreamError, errorMessage } from './failures.js';
import { DeferralSchedule } from './deferral-schedule.js';
import type { CopyExtras, Delivery, PublishCopy, Settlement } from './delivery.js';
import { KeyedSerialExecutor } from './keyed-serial-executor.js';
import { type Job, type ParsedMessage, type TaskRef, parseMessage, unread } from './message.js';
import type { JourneyNotes } from './journey-notes.js';
import { processJob, reportFailed, statusUpdate } from './process-job.js';
import { type FailureDecision, decideFailure } from './retry-policy.js';

export interface SettlementOptions {
  queues: QueueNames;
  backend: BackendClient;
  breaker: CircuitBreaker;
  publishCopy: PublishCopy;
  metrics: Metrics;
  logger: Logger;
  /** Retries after the first attempt before a transiently failing message is parked. */
  maxRetries: number;
  /** Backoff before the first retry; doubled for each further one. Sets the retry tiers. */
  retryDelayMs: number;
  /** Simulated work per message. */
  processingDelayMs: number;
  /** Deliveries of one game held at most (one running, the rest waiting); more are deferred. */
  keyLimit: number;
  /** Wait before handing back a message whose copy the broker did not take (no hot loop). */
  copyFailureBackoffMs?: number;
  /** Each message's steps, taken to the backend by its next status report. */
  journey?: JourneyNotes;
}

type Outcome = Settlement['outcome'];

/**
 * What happens to each delivery, from arrival to exactly one of: ack after completion; ack after
 * a routed and confirmed copy went to a retry tier or the DLQ (and, for the DLQ, after the task
 * was marked failed); or a hand-back. Failures of the message spend `x-retry-count`; failures of
 * the backend open the circuit breaker and hand the message back, spending nothing.
 *
 * Events: `settled` once per delivery.
 */
export class SettlementPolicy extends EventEmitter<{ settled: [Settlement] }> {
  private readonly executor = new KeyedSerialExecutor();
  private readonly deferrals: DeferralSchedule;
  private readonly aborter = new AbortController();
  private readonly tiers: number[];
  private stopping = false;

  constructor(private readonly options: SettlementOptions) {
    super();
    // the floor keeps a flood with no simulated work from cycling through the queue at full speed
    this.deferrals = new DeferralSchedule(Math.max(options.processingDelayMs, 50));
    this.tiers = retryTiers(options.retryDelayMs);
  }

  /** Settles one delivery; never rejects. */
  async handle(delivery: Delivery): Promise<void> {
    const { metrics, logger } = this.options;
    const stopTimer = metrics.duration.startTimer();
    metrics.consumed.inc();
    metrics.inFlight.inc();
    const { headers, messageId: propertyId } = delivery.properties;
    const { value: retryCount, aboveBound } = readCountHeader(headers, HEADERS.retryCount);
    const beyond = deliveryBeyondLimits(delivery.content, headers);
    // a body over the bound is not even parsed: its JSON could take more memory than the process has
    const parsed =
      beyond !== null && delivery.content.length > DELIVERY_LIMITS.bodyBytes
        ? unread(propertyId, beyond)
        : parseMessage(delivery.content, propertyId, headers);
    const messageId = parsed.ok ? parsed.job.task.messageId : (parsed.task?.messageId ?? null);
    let outcome: Outcome = 'requeued';
    try {
      outcome = await withLogContext({ eventId: messageId ?? undefined }, () =>
        beyond !== null
          ? this.parkBeyondLimits(delivery, parsed, retryCount, beyond)
          : aboveBound
            ? this.parkOutOfRange(delivery, parsed, headers?.[HEADERS.retryCount])
            : this.route(delivery, parsed, retryCount),
      );
    } catch (error) {
      // everything expected is caught below; this is a bug or a shutdown abort
      if (!this.aborter.signal.aborted) {
        logger.error('unexpected error while handling a message', { error });
      }
      outcome = this.handBack(delivery, messageId, retryCount, errorMessage(error));
    } finally {
      metrics.inFlight.dec();
      stopTimer({ outcome });
    }
  }

  /** From now on, deliveries not yet started are handed back at once. */
  beginStop(): void {
    this.stopping = true;
  }

  /** Ends every wait for the backend; those messages are handed back. */
  abortWaits(): void {
    this.aborter.abort(new Error('consumer stopping'));
  }

  private route(delivery: Delivery, parsed: ParsedMessage, retryCount: number): Promise<Outcome> {
    if (!parsed.ok) return this.park(delivery, parsed.task, retryCount, parsed.reason);
    const { job } = parsed;
    if (this.executor.pending(job.key) >= this.options.keyLimit) {
      return this.defer(delivery, job, retryCount);
    }
    return this.executor.run(job.key, () => this.attempt(delivery, job, retryCount));
  }

  /**
   * A count above the bound came straight from the broker (the producer refuses one): it is more
   * than any MAX_RETRIES, so the message has spent its retries. Parked at once with the bound as
   * its count, so nothing downstream (the task's attempts, the archive) sees the huge number.
   */
  private parkOutOfRange(delivery: Delivery, parsed: ParsedMessage, raw: unknown) {
    const task = parsed.ok ? parsed.job.task : parsed.task;
    const shown = String(raw).slice(0, 40);
    const reason =
      `${HEADERS.retryCount} ${shown} is above ${MAX_RETRY_COUNT_HEADER}: retries treated as ` +
      `exhausted${parsed.ok ? '' : ` (and ${parsed.reason})`}`;
    return this.park(delivery, task, MAX_RETRY_COUNT_HEADER, reason);
  }

  /**
   * A delivery beyond DELIVERY_LIMITS (too many headers, an absurd name or value, a huge body) came
   * straight from someone with access to the queue: parked at once, unprocessed, with the bound it
   * broke, so it can neither stall the consumer nor reach the backend.
   */
  private parkBeyondLimits(
    delivery: Delivery,
    parsed: ParsedMessage,
    retryCount: number,
    beyond: string,
  ) {
    const task = parsed.ok ? parsed.job.task : parsed.task;
    return this.park(delivery, task, retryCount, `delivery beyond the limits: ${beyond}`, true);
  }

  private async attempt(delivery: Delivery, job: Job, retryCount: number): Promise<Outcome> {
    const { task } = job;
    const { backend, breaker, processingDelayMs, maxRetries, retryDelayMs, journey } = this.options;
    if (this.stopping || breaker.isOpen) return this.handBack(delivery, task.messageId, retryCount);
    try {
      const outcome = await processJob(job, retryCount + 1, {
        backend,
        processingDelayMs,
        journey,
      });
      delivery.ack();
      if (outcome === 'completed') this.options.metrics.completed.inc();
      else this.options.metrics.duplicates.inc();
      this.options.logger.info(
        outcome === 'completed' ? 'message completed' : 'already finished; acked',
        { gameId: task.gameId, action: task.action, attempt: retryCount + 1 },
      );
      return this.settle({ messageId: task.messageId, outcome, retryCount });
    } catch (error) {
      if (error instanceof DownstreamError) {
        breaker.open(error);
        return this.handBack(delivery, task.messageId, retryCount, error.message);
      }
      const decision = decideFailure(error, retryCount, maxRetries, retryDelayMs);
      journey?.note(task.messageId, 'attempt-failed', {
        attempt: retryCount + 1,
        error: errorMessage(error).slice(0, 500),
      });
      return decision.action === 'retry'
        ? this.retry(delivery, task, retryCount, decision)
        : this.park(delivery, task, retryCount, decision.reason);
    }
  }

  private async retry(
    delivery: Delivery,
    task: TaskRef,
    retryCount: number,
    decision: Extract<FailureDecision, { action: 'retry' }>,
  ): Promise<Outcome> {
    const { metrics, logger } = this.options;
    const { delayMs, queue } = this.tier(decision.delayMs);
    const sent = await this.copy(queue, delivery, {
      headers: { [HEADERS.retryCount]: decision.nextRetryCount },
    });
    if (!sent) return this.handBackLater(delivery, task.messageId, retryCount);
    delivery.ack();
    metrics.retried.inc();
    this.recordRetry(task, retryCount, queue, delayMs);
    logger.warn('transient failure; retrying later', {
      reason: decision.reason,
      retryCount: decision.nextRetryCount,
      delayMs,
      via: queue,
    });
    return this.settle({
      messageId: task.messageId,
      outcome: 'retried',
      retryCount,
      delayMs,
      queue,
      reason: decision.reason,
    });
  }

  /**
   * Notes the retry and sends the steps of the failed attempt with a report of their own (the
   * task stays processing): the next attempt may well run on another consumer. Retries are rare,
   * so the extra report costs little; a lost one costs only these steps.
   */
  private recordRetry(task: TaskRef, retryCount: number, queue: string, delayMs: number) {
    const { journey, backend, logger } = this.options;
    if (!journey) return;
    journey.note(task.messageId, 'retry-scheduled', { tier: queue, delayMs });
    backend
      .reportStatus(task.messageId, statusUpdate(task, 'processing', retryCount + 1))
      .catch((error: unknown) =>
        logger.debug('journey steps of a retry not written', { reason: errorMessage(error) }),
      );
  }

  /** The tier queue for a wait of `wantedMs`: the shortest tier at least that long. */
  private tier(wantedMs: number): { delayMs: number; queue: string } {
    const delayMs = tierFor(wantedMs, this.tiers);
    return { delayMs, queue: retryTierQueue(this.options.queues.main, delayMs) };
  }

  /**
   * Parks the message in the DLQ (routed and confirmed), marks its task failed (waiting for the
   * backend if it is away), then acks. Parking comes first so that a failed task always has its
   * message in the DLQ; the ack comes last so that a crash in between parks it again rather than
   * leaving its task unfinished.
   */
  private async park(
    delivery: Delivery,
    task: TaskRef | null,
    retryCount: number,
    reason: string,
    withinLimits = false,
  ): Promise<Outcome> {
    const { queues, backend, breaker, metrics, logger } = this.options;
    const messageId = task?.messageId ?? null;
    const sent = await this.copy(queues.dlq, delivery, {
      headers: {
        [HEADERS.error]: reason.slice(0, 1000),
        [HEADERS.failedAt]: new Date().toISOString(),
        [HEADERS.retryCount]: retryCount,
      },
      withinLimits,
    });
    if (!sent) return this.handBackLater(delivery, messageId, retryCount);
    metrics.parked.inc();
    this.options.journey?.note(messageId, 'parked', { reason: reason.slice(0, 500) });
    this.options.journey?.note(messageId, 'failed', { attempts: retryCount + 1 });
    logger.warn('message parked', { reason, retryCount, gameId: task?.gameId });
    if (task) {
      const signal = this.aborter.signal;
      const report = await reportFailed(task, retryCount + 1, reason, { backend, breaker, signal });
      if (report === 'reported') metrics.failed.inc();
      else logger.warn('the backend refused to mark the task failed', { reason });
    }
    delivery.ack();
    return this.settle({ messageId, outcome: 'parked', retryCount, reason });
  }

  /**
   * Sends a delivery of a game that already holds `keyLimit` deliveries round a retry tier (the
   * shortest at least as long as its turn is away), so it does not sit on a prefetch slot the
   * other games need. It spends no retry.
   */
  private async defer(delivery: Delivery, job: Job, retryCount: number): Promise<Outcome> {
    const { task } = job;
    const { metrics, breaker } = this.options;
    if (this.stopping || breaker.isOpen) return this.handBack(delivery, task.messageId, retryCount);
    const deferrals = readCount(delivery.properties.headers, HEADERS.deferrals);
    const { delayMs, queue } = this.tier(this.deferrals.next(job.key));
    const sent = await this.copy(queue, delivery, {
      headers: { [HEADERS.deferrals]: deferrals + 1 },
    });
    if (!sent) return this.handBackLater(delivery, task.messageId, retryCount);
    delivery.ack();
    metrics.deferred.inc();
    this.options.journey?.note(task.messageId, 'deferred', { tier: queue, delayMs });
    this.options.logger.debug('game has deliveries waiting; deferred', { gameId: task.gameId });
    return this.settle({
      messageId: task.messageId,
      outcome: 'deferred',
      retryCount,
      delayMs,
      queue,
    });
  }

  /** True once the broker routed and confirmed the copy. */
  private async copy(queue: string, delivery: Delivery, extra: CopyExtras): Promise<boolean> {
    try {
      await this.options.publishCopy(queue, delivery, extra);
      return true;
    } catch (error) {
      this.options.logger.warn('broker did not take the copy; handing the message back', {
        queue,
        reason: errorMessage(error),
      });
      return false;
    }
  }

  private async handBackLater(delivery: Delivery, messageId: string | null, retryCount: number) {
    await sleep(this.options.copyFailureBackoffMs ?? 1000);
    return this.handBack(delivery, messageId, retryCount, 'the broker did not take a copy');
  }

  private handBack(
    delivery: Delivery,
    messageId: string | null,
    retryCount: number,
    reason?: string,
  ): Outcome {
    delivery.handBack();
    this.options.metrics.handedBack.inc();
    this.options.journey?.note(
      messageId,
      'handed-back',
      reason ? { reason: reason.slice(0, 500) } : {},
    );
    return this.settle({ messageId, outcome: 'requeued', retryCount, reason });
  }

  private settle(settlement: Settlement): Outcome {
    this.emit('settled', settlement);
    return settlement.outcome;
  }
}
