import { HEADERS } from '@retro/common';
import type { GetMessage, MessageProperties } from 'amqplib';
import { isReservedHeader } from './headers.js';

/** A message in the DLQ as the API shows it. */
export interface ParkedMessage {
  messageId: string | null;
  /** The body parsed as JSON, or null when it is not JSON (see `bodyText`). */
  body: unknown;
  bodyIsJson: boolean;
  /** The body as text, cut at {@link MAX_BODY_TEXT} characters. */
  bodyText: string;
  /** Why it was parked (`x-error`), when (`x-failed-at`) and after how many retries. */
  error: string | null;
  failedAt: string | null;
  retryCount: number;
  headers: Record<string, unknown>;
  contentType: string | null;
  redelivered: boolean;
}

export const MAX_BODY_TEXT = 16_384;

export function describeParked(msg: GetMessage): ParkedMessage {
  const headers = plainHeaders(msg.properties.headers);
  const text = msg.content.toString('utf8');
  let body: unknown = null;
  let bodyIsJson = false;
  try {
    body = JSON.parse(text);
    bodyIsJson = true;
  } catch {
    // poison: shown as text only
  }
  const retryCount = Number(headers[HEADERS.retryCount]);
  return {
    messageId: (msg.properties.messageId as string | undefined) ?? null,
    body,
    bodyIsJson,
    bodyText: text.length > MAX_BODY_TEXT ? `${text.slice(0, MAX_BODY_TEXT)}…` : text,
    error: asText(headers[HEADERS.error]),
    failedAt: asText(headers[HEADERS.failedAt]),
    retryCount: Number.isInteger(retryCount) && retryCount > 0 ? retryCount : 0,
    headers,
    contentType: (msg.properties.contentType as string | undefined) ?? null,
    redelivered: msg.fields.redelivered,
  };
}

/**
 * The headers a replayed message carries: the original ones without what the system and the
 * broker wrote (failure record, earlier replay, deferrals, `x-death`) and without `x-retry-count`,
 * so it starts over with a full retry budget.
 */
export function replayHeaders(headers: MessageProperties['headers']): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).filter(
      ([name]) => !isReservedHeader(name) && name !== HEADERS.retryCount,
    ),
  );
}

function plainHeaders(headers: MessageProperties['headers']): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, value]) => [
      name,
      Buffer.isBuffer(value) ? value.toString('utf8') : value,
    ]),
  );
}

function asText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
