// The message contract's names and rules that the services and the pages both apply. No imports
// and nothing Node-specific: the pages bundle this file as it is.

export const HEADERS = {
  retryCount: 'x-retry-count',
  error: 'x-error',
  failedAt: 'x-failed-at',
  /** Set when a parked message is replayed; lets its failed task be processed again. */
  replayedAt: 'x-replayed-at',
  /** On an edited copy of a parked message: the original's message id (the copy has its own). */
  replayOf: 'x-replay-of',
  /**
   * How often the consumer has put this message back because its game already had events waiting
   * (flood control); never counts as a retry.
   */
  deferrals: 'x-deferrals',
} as const;

/**
 * Headers only the system writes. A tester may not set them on a new message (they would forge a
 * failure record, a replay or a deferral); `x-retry-count` stays a tester's to set.
 */
export const SYSTEM_HEADERS: readonly string[] = [
  HEADERS.error,
  HEADERS.failedAt,
  HEADERS.replayedAt,
  HEADERS.replayOf,
  HEADERS.deferrals,
];

export const GAME_ACTIONS = ['create', 'update', 'delete', 'process'] as const;
export type GameAction = (typeof GAME_ACTIONS)[number];

/** Outcomes a tester may ask a custom message to simulate. */
export const SIMULATED_OUTCOMES = ['success', 'transient', 'permanent'] as const;

/** What a tester may set `x-retry-count` to: a non-negative integer (absent means 0). */
export function isValidRetryCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Why a tester's `x-retry-count` is refused, worded as the API and the page both say it. */
export const RETRY_COUNT_RULE = 'must be a non-negative integer';
