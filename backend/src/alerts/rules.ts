import type { AlertRule } from '@retro/common';

/** What the evaluating replica saw at one instant; null = could not be read this time. */
export interface Observations {
  /** Epoch ms of the observation. */
  at: number;
  brokerConnected: boolean;
  /** Tasks pending or processing unchanged for TASK_STALLED_AFTER_MS. */
  stalledTasks: number | null;
  /** Messages waiting in the DLQ (not yet archived); null while the broker is away. */
  deadLettersWaiting: number | null;
  /** Dead letters the producer archived within the window. */
  deadLettersArchived: number | null;
  /** Consumers subscribed to the main queue (a missing queue has none); null: broker away. */
  mainQueueConsumers: number | null;
  outboxOldestAgeMs: number | null;
}

export interface AlertThresholds {
  stalledTasks: number;
  deadLetters: number;
  deadLetterWindowMs: number;
  noConsumerAfterMs: number;
  outboxOldestAgeMs: number;
  brokerUnreachableAfterMs: number;
}

/** A rule's answer: firing or not, or null when what it needs could not be read (no change). */
export interface Verdict {
  rule: AlertRule;
  firing: boolean | null;
  summary: string;
}

/** Since when (epoch ms) a rule's condition has held without a break, for rules with a delay. */
export type HeldSince = Partial<Record<AlertRule, number>>;

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/**
 * Every rule's verdict for one observation. Pure: the caller keeps `heldSince` between calls (the
 * conditions that must last a while before they fire) and gets the next one back.
 */
export function evaluateRules(
  seen: Observations,
  limits: AlertThresholds,
  heldSince: HeldSince,
): { verdicts: Verdict[]; heldSince: HeldSince } {
  const next: HeldSince = {};
  /**
   * True once `condition` has held for `delayMs`. Until then null, not false: an alert already
   * firing (raised by the replica that held the lease before, whose clock is gone) is not resolved
   * while its condition still holds. An unknown reading keeps the clock.
   */
  const held = (rule: AlertRule, condition: boolean | null, delayMs: number): boolean | null => {
    if (condition === null) {
      if (heldSince[rule] !== undefined) next[rule] = heldSince[rule];
      return null;
    }
    if (!condition) return false;
    const since = heldSince[rule] ?? seen.at;
    next[rule] = since;
    return seen.at - since >= delayMs ? true : null;
  };

  const stalled = seen.stalledTasks;
  const dead =
    seen.deadLettersWaiting === null || seen.deadLettersArchived === null
      ? null
      : seen.deadLettersWaiting + seen.deadLettersArchived;
  const consumers = seen.mainQueueConsumers;
  const age = seen.outboxOldestAgeMs;

  const verdicts: Verdict[] = [
    {
      rule: 'tasks-stalled',
      firing: stalled === null ? null : stalled >= limits.stalledTasks,
      summary: `${stalled ?? '?'} task(s) unchanged for longer than TASK_STALLED_AFTER_MS (threshold ${limits.stalledTasks}): their messages may be lost`,
    },
    {
      rule: 'dead-letters',
      firing: dead === null ? null : dead >= limits.deadLetters,
      summary: `${dead ?? '?'} dead letter(s): ${seen.deadLettersWaiting ?? '?'} waiting in the DLQ, ${seen.deadLettersArchived ?? '?'} archived in the last ${seconds(limits.deadLetterWindowMs)} (threshold ${limits.deadLetters})`,
    },
    {
      rule: 'no-consumer',
      firing: held(
        'no-consumer',
        consumers === null ? null : consumers === 0,
        limits.noConsumerAfterMs,
      ),
      summary: `No consumer subscribed to the main queue for ${seconds(limits.noConsumerAfterMs)} or more: events wait unprocessed (consumers stopped, or paused by their circuit breaker)`,
    },
    {
      rule: 'outbox-stuck',
      firing: age === null ? null : age > limits.outboxOldestAgeMs,
      summary: `The oldest unpublished outbox event is ${seconds(age ?? 0)} old (threshold ${seconds(limits.outboxOldestAgeMs)}): the relay is not publishing`,
    },
    {
      rule: 'broker-unreachable',
      firing: held('broker-unreachable', !seen.brokerConnected, limits.brokerUnreachableAfterMs),
      summary: `The backend has had no connection to RabbitMQ for ${seconds(limits.brokerUnreachableAfterMs)} or more`,
    },
  ];
  return { verdicts, heldSince: next };
}

/** What to change: rules that fire and are not raised yet, and raised ones that stopped firing. */
export function planTransitions(
  verdicts: readonly Verdict[],
  raised: ReadonlySet<AlertRule>,
): { raise: Verdict[]; resolve: AlertRule[] } {
  return {
    raise: verdicts.filter((v) => v.firing === true && !raised.has(v.rule)),
    resolve: verdicts.filter((v) => v.firing === false && raised.has(v.rule)).map((v) => v.rule),
  };
}

/** Delay before attempt `attempt + 1` of a webhook notification: 1 s doubling, at most 5 minutes. */
export function webhookBackoffMs(attempts: number, baseMs = 1000, maxMs = 300_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempts, 20));
}
