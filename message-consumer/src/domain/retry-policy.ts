import { retryCapMs } from '@retro/common';
import { PermanentError, errorMessage } from './failures.js';

/** Backoff before retry number `retryCount + 1`: base · 2^retryCount, capped (a retry tier). */
export function retryDelayMs(retryCount: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** retryCount, retryCapMs(baseMs));
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
