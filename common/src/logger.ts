import { AsyncLocalStorage } from 'node:async_hooks';
import winston from 'winston';

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

const addContext = winston.format((info) => Object.assign(info, currentLogContext()));

export type Logger = winston.Logger;

export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return winston.createLogger({
    level,
    defaultMeta: { service },
    format: winston.format.combine(
      addContext(),
      winston.format.timestamp(),
      winston.format.errors({ stack: true }),
      winston.format.json(),
    ),
    transports: [new winston.transports.Console()],
  });
}
