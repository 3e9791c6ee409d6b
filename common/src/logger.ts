import { AsyncLocalStorage } from 'node:async_hooks';
import winston from 'winston';
import { MESSAGE, prettyLine } from './log-pretty.js';

/** Identifiers that follow one request or one message through every log line it causes. */
export interface LogContext {
  correlationId?: string;
  eventId?: string;
}

const contextStore = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `context` merged into every log line written inside it. */
export function withLogContext<T>(context: LogContext, fn: () => T): T {
  return contextStore.run({ ...contextStore.getStore(), ...context }, fn);
}

export function currentLogContext(): LogContext {
  return contextStore.getStore() ?? {};
}

/** An Error as JSON: its own fields are not enumerable, so it would otherwise log as `{}`. */
function plainError(error: Error, depth = 0): Record<string, unknown> {
  const { code, errno, sqlState } = error as Error & Record<string, unknown>;
  return {
    name: error.name,
    message: error.message,
    ...(code === undefined ? {} : { code }),
    ...(errno === undefined ? {} : { errno }),
    ...(sqlState === undefined ? {} : { sqlState }),
    stack: error.stack,
    ...(error.cause instanceof Error && depth < 3
      ? { cause: plainError(error.cause, depth + 1) }
      : {}),
  };
}

/**
 * Everything a line gains before it is written, in one pass (winston calls each format once per
 * line, and the API writes a line per event): the ids of the surrounding context, any Error passed
 * in its fields written out in full, and the time.
 */
const enrich = winston.format((info) => {
  Object.assign(info, currentLogContext());
  for (const key of Object.keys(info)) {
    const value = info[key];
    if (value instanceof Error) info[key] = plainError(value);
  }
  info.timestamp = new Date().toISOString();
  return info;
});

/**
 * One JSON object per line, starting with the time, level, service and message. Plain
 * `JSON.stringify`, several times cheaper than winston's sorting writer; what it cannot write (a
 * cycle, a BigInt) goes through winston's own safe writer instead.
 */
const jsonLine = winston.format((info) => {
  const line = info as unknown as Record<string | symbol, unknown>;
  const { timestamp, level, service, message } = line;
  try {
    // the first four keys fix the order; the spread then fills in every value
    line[MESSAGE] = JSON.stringify({ timestamp, level, service, message, ...line });
  } catch {
    return safeJson.transform(info, safeJson.options);
  }
  return info;
});
const safeJson = winston.format.json();

export type Logger = winston.Logger;

/** `pretty` (one coloured line per event, for people) or `json` (one object per line, for tools). */
export type LogFormat = 'pretty' | 'json';

/** LOG_FORMAT: `auto` (the default) is `pretty` when stdout is a terminal, else `json`. */
export function logFormat(
  setting = process.env.LOG_FORMAT,
  isTTY = process.stdout.isTTY,
): LogFormat {
  if (setting === 'pretty' || setting === 'json') return setting;
  return isTTY ? 'pretty' : 'json';
}

export function createLogger(
  service: string,
  level = process.env.LOG_LEVEL ?? 'info',
  format: LogFormat = logFormat(),
): Logger {
  const logger = winston.createLogger({
    level,
    defaultMeta: { service },
    format: winston.format.combine(
      winston.format.errors({ stack: true }),
      enrich(),
      format === 'pretty' ? prettyLine() : jsonLine(),
    ),
    transports: [new winston.transports.Console()],
  });
  skipDisabledLevels(logger);
  return logger;
}

/**
 * Winston runs every line through all its formats (the JSON included) and only then lets each
 * transport drop the levels it does not write, so a `debug` or `http` line on a hot path costs
 * nearly as much disabled as enabled. The level methods return at once for a level no transport
 * writes (checked at each call: the level may change while the service runs).
 */
function skipDisabledLevels(logger: Logger): void {
  const methods = logger as unknown as Record<string, (...args: unknown[]) => Logger>;
  for (const level of Object.keys(logger.levels)) {
    const write = methods[level]!.bind(logger);
    methods[level] = (...args) => (logger.isLevelEnabled(level) ? write(...args) : logger);
  }
}
