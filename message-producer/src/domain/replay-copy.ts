import { randomUUID } from 'node:crypto';
import { HEADERS, carriedProperties } from '@retro/common';
import type { Options } from 'amqplib';
import type { DeadLetter } from '../data-access/archive-rows.js';
import { isReservedHeader, type MessageHeaders } from './headers.js';

/** A message ready to publish to the main queue again. */
export interface ReplayCopy {
  content: Buffer;
  properties: Options.Publish & { messageId: string };
}

/**
 * The headers a replayed message carries: the original ones without what the system and the
 * broker wrote (failure record, earlier replay, deferrals, `x-death`) and without `x-retry-count`,
 * so it starts over with a full retry budget.
 */
export function replayHeaders(
  headers: Record<string, unknown> | undefined,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).filter(
      ([name]) => !isReservedHeader(name) && name !== HEADERS.retryCount,
    ),
  );
}

/** The bytes the archive kept, as they were received. */
export function bodyBytes(row: Pick<DeadLetter, 'body' | 'bodyEncoding'>): Buffer {
  return Buffer.from(row.body, row.bodyEncoding === 'base64' ? 'base64' : 'utf8');
}

/**
 * An archived message published as it was parked: same body, same message id (a message that had
 * none gets one), same properties, replay headers plus a fresh `x-replayed-at` — which lets the
 * consumer reopen the message's failed task.
 */
export function replayCopy(row: DeadLetter, now = new Date()): ReplayCopy {
  const carried = carriedProperties(row.properties);
  return {
    content: bodyBytes(row),
    properties: {
      ...carried,
      contentType: carried.contentType ?? 'application/json',
      messageId: row.messageId ?? randomUUID(),
      headers: { ...replayHeaders(row.headers), [HEADERS.replayedAt]: now.toISOString() },
    },
  };
}

/** A tester's correction of a parked message: its new body (valid JSON) and, optionally, headers. */
export interface MessageEdit {
  /** The body as typed; it has been checked to be JSON. */
  text: string;
  parsed: unknown;
  /** Replaces the original's own headers; the system's are never taken from here. */
  headers?: MessageHeaders;
}

/**
 * An edited copy is a new message: a new id (its processing is a task of its own, and the
 * original's failed task stays as it was), `x-replay-of` naming the original, and `x-replayed-at`.
 * A body carrying an `eventId` gets the new id there too, since a game event's message id is its
 * event id; otherwise the text goes out exactly as typed.
 */
export function editedCopy(row: DeadLetter, edit: MessageEdit, now = new Date()): ReplayCopy {
  const messageId = randomUUID();
  const body = edit.parsed;
  const carriesEventId =
    typeof body === 'object' && body !== null && !Array.isArray(body) && 'eventId' in body;
  const content = carriesEventId
    ? Buffer.from(JSON.stringify({ ...body, eventId: messageId }))
    : Buffer.from(edit.text);
  return {
    content,
    properties: {
      contentType: 'application/json',
      messageId,
      timestamp: Math.floor(now.getTime() / 1000),
      appId: 'message-producer',
      headers: {
        ...(edit.headers ?? replayHeaders(row.headers)),
        [HEADERS.replayedAt]: now.toISOString(),
        ...(row.messageId !== null && { [HEADERS.replayOf]: row.messageId }),
      },
    },
  };
}
