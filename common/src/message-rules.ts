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

/**
 * The largest `x-retry-count` a message may carry, far above any MAX_RETRIES (at most 100). The
 * bound is where a count enters: the producer refuses more, and the consumer and the archiver read
 * more as this (the archive keeps it in an unsigned INT, whose range an unbounded count overflows).
 */
export const MAX_RETRY_COUNT_HEADER = 1_000_000;

/** What a tester may set `x-retry-count` to: an integer from 0 to the bound (absent means 0). */
export function isValidRetryCount(value: unknown): value is number {
  return (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 0 &&
    value <= MAX_RETRY_COUNT_HEADER
  );
}

/** Why a tester's `x-retry-count` is refused, worded as the API and the page both say it. */
export const RETRY_COUNT_RULE = `must be an integer from 0 to ${MAX_RETRY_COUNT_HEADER}`;

/**
 * How many headers a tester may put on a message, how long a name and a text value may be (numbers
 * and booleans are small anyway): what one message carries stays a few kilobytes.
 */
export const HEADER_LIMITS = { count: 16, nameLength: 64, textLength: 500 } as const;

/**
 * The largest JSON body a publish request to the producer may have (every route under `/api`):
 * a message, its headers and the request's own fields. Larger is refused with 413 naming it.
 */
export const PUBLISH_REQUEST_MAX_BYTES = 256 * 1024;

/**
 * What one delivery may carry, whoever published it (anyone with access to the queues can). Far
 * above what the system itself sends: a tester's message has at most HEADER_LIMITS.count headers
 * and a body under PUBLISH_REQUEST_MAX_BYTES, and the system adds fewer than 16 of its own. The
 * consumer parks a delivery beyond them unprocessed, with the bound it broke as its reason; the
 * archiver keeps at most these of a parked message's headers, cutting what is longer with a
 * marker (cutMarker), so a hostile header never makes the archive refuse a record.
 */
export const DELIVERY_LIMITS = {
  /** Headers on one message. */
  headerCount: 64,
  /** Characters of one header name (AMQP allows 255 bytes). */
  nameLength: 128,
  /** Characters of one header value: its text, or its JSON for a table or an array. */
  valueLength: 8_192,
  /** Bytes of one message body. */
  bodyBytes: 1024 * 1024,
} as const;

/** What ends a value the archive cut at a bound: `…[cut: 12000 characters, at most 8192]`. */
export function cutMarker(length: number, bound: number): string {
  return `…[cut: ${length} characters, at most ${bound}]`;
}
