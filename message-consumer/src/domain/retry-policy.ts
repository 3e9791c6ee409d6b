import { HEADERS } from '@retro/common';
import { PermanentError, errorMessage } from './failures.js';

/** Longest a message waits in the retry queue, unless the configured base delay is longer. */
export const MAX_RETRY_DELAY_MS = 60_000;

/** Backoff before retry number `retryCount + 1`: base · 2^retryCount, capped. */
export function retryDelayMs(retryCount: number, baseMs: number): number {
  const cap = Math.max(MAX_RETRY_DELAY_MS, baseMs);
  return Math.min(baseMs * 2 ** retryCount, cap);
}

/** `x-retry-count` as a non-negative integer; absent or garbage counts as 0. */
export function readRetryCount(headers: Record<string, unknown> | undefined): number {
  return readCount(headers, HEADERS.retryCount);
}

/** A counting header (`x-retry-count`, `x-deferrals`); absent or garbage counts as 0. */
export function readCount(headers: Record<string, unknown> | undefined, name: string): number {
  const raw = headers?.[name];
  const value = typeof raw === 'string' ? Number(raw) : raw;
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0;
}

export type FailureDecision =
  | { action: 'retry'; nextRetryCount: number; delayMs: number; reason: string }
  | { action: 'park'; reason: string };

/**
 * What to do with a message whose own handling threw (the backend's failures never come here).
 * Permanent errors are parked at once; anything else (transient or unexpected) is retried until
 * `maxRetries` retries have been spent.
 */
export function decideFailure(
  error: unknown,
  retryCount: number,
  maxRetries: number,
  baseDelayMs: number,
): FailureDecision {
  const reason = errorMessage(error);
  if (error instanceof PermanentError) return { action: 'park', reason };
  if (retryCount >= maxRetries) {
    return { action: 'park', reason: `gave up after ${retryCount} retries: ${reason}` };
  }
  return {
    action: 'retry',
    nextRetryCount: retryCount + 1,
    delayMs: retryDelayMs(retryCount, baseDelayMs),
    reason,
  };
}
