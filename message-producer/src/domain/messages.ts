import { randomUUID } from 'node:crypto';
import {
  AppError,
  GAME_ACTIONS,
  type MessageKind,
  MESSAGE_ID_PATTERN,
  SIMULATED_OUTCOMES,
  messageIdSchema,
  parseInput,
} from '@retro/common';
import { z } from 'zod';

import { type MessageHeaders, messageHeadersSchema } from './headers.js';

/** The three ways a tester can describe a message; each has its own endpoint. */
export { MESSAGE_KINDS, type MessageKind } from '@retro/common';

/** One message, ready for the broker. */
export interface OutgoingMessage {
  messageId: string;
  /** Set for game events, where it equals `messageId` (the message contract). */
  eventId?: string;
  content: Buffer;
  headers: MessageHeaders;
  /** Where a tester fixed the id (raw messages only); absent when the producer made it up. */
  idFrom?: 'messageId' | 'body.eventId';
}

/** Makes a fresh message on every call (new id, new timestamp) from one validated request. */
export type MessagePlan = () => OutgoingMessage;

const gameIdSchema = z
  .union([z.number(), z.string().regex(/^\d+$/).transform(Number)], {
    error: 'is required: a positive integer',
  })
  .pipe(z.number().int().positive().max(2_147_483_647));

/** The original producer's request, `{gameId, action, gameData}`, plus optional headers. */
export const gameEventRequestSchema = z.object({
  gameId: gameIdSchema,
  action: z.enum(GAME_ACTIONS),
  gameData: z.record(z.string(), z.unknown()).nullable().optional(),
  headers: messageHeadersSchema,
});

/** The original producer's request, `{message}`; other fields (simulate, ...) travel along. */
export const customRequestSchema = z.looseObject({
  message: z
    .unknown()
    .refine((v) => v !== undefined && v !== null && v !== '', { message: 'is required' }),
  simulate: z.enum(SIMULATED_OUTCOMES).optional(),
  failAttempts: z.number().int().min(0).max(100).optional(),
  headers: messageHeadersSchema,
});

/** Any JSON body, or a string that is sent as its raw text (to make poison messages). */
export const rawRequestSchema = z.object({
  body: z.unknown().refine((v) => v !== undefined, { message: 'is required' }),
  headers: messageHeadersSchema,
  messageId: messageIdSchema.optional(),
});

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

function gameEventPlan(input: unknown): MessagePlan {
  const { gameId, action, gameData, headers } = parseInput(gameEventRequestSchema, input ?? {});
  return () => {
    const eventId = randomUUID();
    const body = { eventId, gameId, action, gameData: gameData ?? {}, timestamp: isoNow() };
    return { messageId: eventId, eventId, content: json(body), headers: headers ?? {} };
  };
}

function customPlan(input: unknown): MessagePlan {
  const parsed = parseInput(customRequestSchema, input ?? {});
  // `type` and `timestamp` are the producer's to set; `headers` goes on the message, not in it
  const { headers, message, ...extra } = parsed;
  delete extra.type;
  delete extra.timestamp;
  return () => ({
    messageId: randomUUID(),
    content: json({ type: 'custom', message, ...extra, timestamp: isoNow() }),
    headers: headers ?? {},
  });
}

function rawPlan(input: unknown, repeated: boolean): MessagePlan {
  const { body, headers, messageId } = parseInput(rawRequestSchema, input ?? {});
  if (repeated && messageId !== undefined) {
    throw AppError.validation([
      { field: 'messageId', message: 'can not be fixed when publishing more than one message' },
    ]);
  }
  const eventId = ownEventId(body);
  // where the tester fixed the id of a single message (a bulk copy never keeps it)
  const idFrom: OutgoingMessage['idFrom'] =
    messageId !== undefined ? 'messageId' : eventId !== undefined ? 'body.eventId' : undefined;
  return () => {
    if (typeof body === 'string') {
      return {
        messageId: messageId ?? randomUUID(),
        ...(idFrom && { idFrom }),
        content: Buffer.from(body),
        headers: headers ?? {},
      };
    }
    if (repeated && eventId !== undefined) {
      // copies of a game event must not share an event id, or the consumer would see duplicates
      const id = randomUUID();
      return {
        messageId: id,
        eventId: id,
        content: json({ ...(body as object), eventId: id }),
        headers: headers ?? {},
      };
    }
    return {
      messageId: messageId ?? eventId ?? randomUUID(),
      ...(eventId && { eventId }),
      ...(idFrom && { idFrom }),
      content: json(body),
      headers: headers ?? {},
    };
  };
}

/** A body's own `eventId`, when it is usable as the AMQP message id. */
function ownEventId(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const eventId = (body as { eventId?: unknown }).eventId;
  return typeof eventId === 'string' && MESSAGE_ID_PATTERN.test(eventId) ? eventId : undefined;
}

const isoNow = () => new Date().toISOString();

/**
 * Validates a publish request of the given kind (400 with field errors if it is wrong) and returns
 * a plan that builds its message. `repeated` is set for bulk publishing: every copy gets its own id.
 */
export function planMessage(kind: MessageKind, input: unknown, repeated = false): MessagePlan {
  switch (kind) {
    case 'game-event':
      return gameEventPlan(input);
    case 'custom':
      return customPlan(input);
    case 'raw':
      return rawPlan(input, repeated);
  }
}
