import {
  HEADERS,
  RETRY_COUNT_RULE,
  SYSTEM_HEADERS,
  isBrokerDeathHeader,
  isValidRetryCount,
} from '@retro/common';
import { z } from 'zod';

const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_HEADERS = 16;

const SYSTEM = new Set(SYSTEM_HEADERS.map((name) => name.toLowerCase()));

/**
 * True for a header only the system or the broker writes. Compared without regard to case: AMQP
 * names are case-sensitive, but a forged `X-Error` reads as a failure record to anyone looking.
 */
export function isReservedHeader(name: string): boolean {
  return SYSTEM.has(name.toLowerCase()) || isBrokerDeathHeader(name);
}

/**
 * AMQP headers a tester may put on a message, e.g. `{"x-retry-count": 3}` to see what the
 * consumer does with a message that has already been retried.
 */
export const messageHeadersSchema = z
  .record(
    z.string().regex(HEADER_NAME, 'header names are letters, digits, "_", "." or "-" (max 64)'),
    z.union([z.string().max(500), z.number().finite(), z.boolean()]),
  )
  .refine((headers) => Object.keys(headers).length <= MAX_HEADERS, {
    message: `at most ${MAX_HEADERS} headers`,
  })
  .superRefine((headers, ctx) => {
    for (const name of Object.keys(headers)) {
      if (isReservedHeader(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `"${name}" is reserved: only the system and the broker write it`,
        });
      }
    }
    const retryCount = headers[HEADERS.retryCount];
    if (retryCount !== undefined && !isValidRetryCount(retryCount)) {
      ctx.addIssue({ code: 'custom', path: [HEADERS.retryCount], message: RETRY_COUNT_RULE });
    }
  })
  .optional();

export type MessageHeaders = Record<string, string | number | boolean>;
