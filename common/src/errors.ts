import { isDatabaseUnavailable } from './database-outage.js';

export { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from './database-outage.js';

/** A stable, client-facing error code; the HTTP status goes with it. */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'MALFORMED_JSON'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_FOUND'
  | 'CONFLICT'
  /** A tester's message id already belongs to a processing task (409). */
  | 'MESSAGE_ID_IN_USE'
  /** A status report contradicts the task stored under its message id (type or game). */
  | 'TASK_MISMATCH'
  | 'UNAUTHORIZED'
  /** Signed in, but the role may not do this (403); or a cookie write from another origin. */
  | 'FORBIDDEN'
  /** `If-Match` names a version the resource has moved on from (412). */
  | 'PRECONDITION_FAILED'
  /** The `Host` the request was sent to is not one this service answers for (421). */
  | 'MISDIRECTED_REQUEST'
  | 'RATE_LIMITED'
  /** A cap on open live streams (`STREAM_MAX_CLIENTS`, `STREAM_MAX_PER_CLIENT`) is reached (429). */
  | 'TOO_MANY_STREAMS'
  | 'SERVICE_UNAVAILABLE'
  /** The database is away (stopped, restarting, unreachable): try again after `Retry-After` (503). */
  | 'DATABASE_UNAVAILABLE'
  | 'INTERNAL_ERROR';

export interface ErrorDetail {
  field: string;
  message: string;
}

/** The one error type services throw on purpose. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly details: ErrorDetail[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }

  static validation(details: ErrorDetail[], message = 'Request validation failed'): AppError {
    return new AppError('VALIDATION_FAILED', 400, message, details);
  }

  static notFound(what: string): AppError {
    return new AppError('NOT_FOUND', 404, `${what} not found`);
  }

  static unavailable(message: string, cause?: unknown): AppError {
    return new AppError('SERVICE_UNAVAILABLE', 503, message, [], { cause });
  }

  /** The database cannot be reached now; nothing was changed that the client must know of. */
  static databaseUnavailable(cause?: unknown): AppError {
    return new AppError(
      'DATABASE_UNAVAILABLE',
      503,
      'The database is unavailable; try again shortly',
      [],
      { cause },
    );
  }

  /** True when the client caused it; such errors are logged at a lower level. */
  get isClientError(): boolean {
    return this.status < 500;
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details: ErrorDetail[] };
}

export function errorBody(err: AppError): ErrorBody {
  return { error: { code: err.code, message: err.message, details: err.details } };
}

/** Converts anything thrown into an AppError; unknown errors become a 500 that hides internals. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as
    { type?: string; status?: number; message?: string; limit?: unknown } | undefined;
  // body-parser signals client mistakes with a `type` and a 4xx `status`
  if (e?.type === 'entity.parse.failed') {
    return new AppError('MALFORMED_JSON', 400, 'Request body is not valid JSON', [], {
      cause: err,
    });
  }
  if (e?.type === 'entity.too.large') {
    // body-parser names its limit: the caller learns the bound, not just that it was crossed
    const bound = typeof e.limit === 'number' ? ` (at most ${e.limit} bytes)` : '';
    return new AppError('PAYLOAD_TOO_LARGE', 413, `Request body is too large${bound}`, [], {
      cause: err,
    });
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    const code = e.status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'VALIDATION_FAILED';
    return new AppError(code, e.status, e.message ?? 'Bad request', [], { cause: err });
  }
  // the database away is an outage to wait out, not a bug: 503 and Retry-After, never a 500
  if (isDatabaseUnavailable(err)) return AppError.databaseUnavailable(err);
  return new AppError('INTERNAL_ERROR', 500, 'Internal server error', [], { cause: err });
}
