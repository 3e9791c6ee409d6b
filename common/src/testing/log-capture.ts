import { PassThrough } from 'node:stream';
import winston from 'winston';
import { createLogger, type Logger } from '../logger.js';

/** A service logger whose JSON lines are collected in `lines` instead of printed. */
export function capturingLogger(service: string, level = 'debug') {
  const logger: Logger = createLogger(service, level, 'json');
  logger.clear();
  const lines: Record<string, unknown>[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
  });
  logger.add(new winston.transports.Stream({ stream }));
  return { logger, lines };
}
