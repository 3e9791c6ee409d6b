/**
 * The ways handling a message can fail. What the consumer does (retry later, park now, or pause
 * until the backend is back) follows from which of these was thrown.
 */

/** The message's own work failed but might succeed later: retried, spending `x-retry-count`. */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/** The message is wrong and never will succeed (malformed, or refused with a 4xx): parked now. */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** Why the backend could not take a status report. */
export const DOWNSTREAM_CAUSES = [
  'unreachable',
  'timeout',
  'server_error',
  'rate_limited',
  'unauthorized',
] as const;
export type DownstreamCause = (typeof DOWNSTREAM_CAUSES)[number];

/**
 * The backend could not take a status report: down, slow, overloaded or refusing our token. Not
 * the message's fault, so it never spends a retry: the consumer opens its circuit breaker and hands
 * the message back until the backend answers again.
 */
export class DownstreamError extends Error {
  constructor(
    readonly kind: DownstreamCause,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DownstreamError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
