import {
  HEADERS,
  HEADER_LIMITS,
  RETRY_COUNT_RULE,
  SYSTEM_HEADERS,
  isBrokerDeathHeader,
  isValidRetryCount,
} from '@retro/common';
import { z } from 'zod';

const { count: MAX_HEADERS, nameLength, textLength } = HEADER_LIMITS;
const HEADER_NAME = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,${nameLength - 1}}$`);

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
 * consumer does with a message that has already been retried. Bounded in number and size (see
 * HEADER_LIMITS) and `x-retry-count` in range: every publish route and the edit of a parked
 * message validate with this one schema.
 */
export const messageHeadersSchema = z
  .record(
    z.string(),
    z.union([
      z.string().max(textLength, `a text value may be at most ${textLength} characters`),
      z.number().finite(),
      z.boolean(),
    ]),
  )
  .superRefine((headers, ctx) => {
    const names = Object.keys(headers);
    if (names.length > MAX_HEADERS) {
      ctx.addIssue({ code: 'custom', message: `at most ${MAX_HEADERS} headers` });
      return;
    }
    for (const name of names) {
      // checked here rather than as the record's key schema, whose refusal names no rule
      const message = !HEADER_NAME.test(name)
        ? `header names are 1 to ${nameLength} letters, digits, "_", "." or "-"`
        : isReservedHeader(name)
          ? `"${name}" is reserved: only the system and the broker write it`
          : undefined;
      if (message) ctx.addIssue({ code: 'custom', path: [name], message });
    }
    const retryCount = headers[HEADERS.retryCount];
    if (retryCount !== undefined && !isValidRetryCount(retryCount)) {
      ctx.addIssue({ code: 'custom', path: [HEADERS.retryCount], message: RETRY_COUNT_RULE });
    }
  })
  .optional();

export type MessageHeaders = Record<string, string | number | boolean>;
