/**
 * The two ways handling a message can fail. Everything the consumer decides (retry later or park
 * now) follows from which of these was thrown.
 */

/** Might succeed later: the backend is unreachable, timed out or answered 5xx. */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/** Will never succeed: the message is malformed or the backend refused it with a 4xx. */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
