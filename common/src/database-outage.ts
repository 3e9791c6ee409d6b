/**
 * Errors that say the database is away (stopped, restarting, unreachable, its connections cut),
 * not that a query is wrong. mysql2 gives the socket's code for network failures and its own
 * `PROTOCOL_*` codes for a connection that died; the server's codes cover a shutdown in progress,
 * a killed connection and a full server.
 */
const DATABASE_AWAY = new Set([
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
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_NORMAL_SHUTDOWN',
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
    if (typeof code === 'string' && DATABASE_AWAY.has(code)) return true;
    if (typeof message === 'string' && POOL_MESSAGES.has(message)) return true;
    // a connection-level failure mysql2 marks fatal without a code we know (a handshake cut short)
    if (fatal === true && typeof code !== 'string') return true;
    e = cause;
  }
  return false;
}
