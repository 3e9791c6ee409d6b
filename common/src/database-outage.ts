/**
 * Connection failures: the socket's codes and mysql2's `PROTOCOL_*` codes for a connection that
 * died. They count only on errors mysql2 marks `fatal` (its connection-level failures), so the
 * same code from something else (an HTTP call) is not taken for the database.
 */
const CONNECTION_LOST = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
]);

/** The server's own codes for going away: a shutdown in progress, a killed connection, a full server. */
const SERVER_AWAY = new Set([
  'ER_SERVER_SHUTDOWN',
  'ER_NORMAL_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  // no connection free or connectable within the pool's deadline (database/src/settings.ts)
  'POOL_ACQUIRE_TIMEOUT',
]);

/** mysql2's pool errors that carry no code: a full wait queue, a pool closed on shutdown. */
const POOL_MESSAGES = new Set(['Queue limit reached.', 'Pool is closed.']);

/** Seconds a client is asked to wait (`Retry-After`) before trying again while the database is away. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** True when `error` (or an error it wraps) means the database cannot be reached right now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    const { code, message, fatal, cause } = e as {
      code?: unknown;
      message?: unknown;
      fatal?: unknown;
      cause?: unknown;
    };
    if (typeof code === 'string' && SERVER_AWAY.has(code)) return true;
    if (typeof code === 'string' && fatal === true && CONNECTION_LOST.has(code)) return true;
    if (typeof message === 'string' && POOL_MESSAGES.has(message)) return true;
    // a connection-level failure mysql2 marks fatal without a code we know (a handshake cut short)
    if (fatal === true && typeof code !== 'string') return true;
    e = cause;
  }
  return false;
}
