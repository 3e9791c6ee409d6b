import { createHash } from 'node:crypto';
import {
  type DeadLetterType,
  HEADERS,
  describeBrokerDeath,
  digitsToNumber,
  readBrokerDeath,
  readRetryCount,
} from '@retro/common';
import type { MessageProperties } from 'amqplib';
import { boundedHeaders, boundedValue } from './archive-bounds.js';
import { fingerprintOf, groupIdOf } from './fingerprint.js';

export { DEAD_LETTER_TYPES, type DeadLetterType } from '@retro/common';

/** A parked message as the archive stores it: one row of `dead_letters`. */
export interface ArchiveRecord {
  /** Identifies this parking of the message: a redelivery of it has the same key. */
  archiveKey: Buffer;
  messageId: string | null;
  groupId: string;
  fingerprint: string;
  type: DeadLetterType;
  gameId: number | null;
  reason: string | null;
  parkedAt: Date;
  retryCount: number;
  bodyEncoding: 'utf8' | 'base64';
  body: string;
  bodyBytes: number;
  bodyIsJson: boolean;
  properties: Record<string, unknown>;
  headers: Record<string, unknown>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const MAX_GAME_ID = 2_147_483_647;

/**
 * What the archive keeps of a delivery from the DLQ. Nothing here throws: a parked message may be
 * anything (not JSON, not UTF-8, odd headers), and every one of them must be archivable.
 */
export function toArchiveRecord(
  content: Buffer,
  props: MessageProperties,
  archivedAt = new Date(),
): ArchiveRecord {
  const allHeaders = jsonHeaders(props.headers ?? {});
  const headers = boundedHeaders(allHeaders);
  const reason = asText(boundedValue(allHeaders[HEADERS.error])) ?? brokerReason(allHeaders);
  const failedAt = asText(headers[HEADERS.failedAt]);
  const fingerprint = fingerprintOf(reason);
  const text = decodeUtf8(content);
  const parsed = text === null ? undefined : parseJson(text);
  const { type, gameId } = classify(parsed);
  const messageId = typeof props.messageId === 'string' ? props.messageId : null;
  return {
    archiveKey: archiveKeyOf(messageId, failedAt, props.timestamp, content),
    messageId,
    groupId: groupIdOf(fingerprint),
    fingerprint,
    type,
    gameId,
    reason,
    parkedAt: parkedAtOf(failedAt, props.timestamp, archivedAt),
    retryCount: readRetryCount(headers),
    bodyEncoding: text === null ? 'base64' : 'utf8',
    body: text ?? content.toString('base64'),
    bodyBytes: content.length,
    bodyIsJson: parsed !== undefined,
    properties: plainProperties(props),
    headers,
  };
}

/**
 * The consumer stamps every parking with `x-failed-at` (milliseconds), so id + failed-at tells
 * two parkings of one message apart (a message replayed and parked again) while a redelivery of
 * the same parking matches. The body and timestamp keep apart messages that carry neither.
 */
export function archiveKeyOf(
  messageId: string | null,
  failedAt: string | null,
  timestamp: unknown,
  content: Buffer,
): Buffer {
  const bodyHash = createHash('sha256').update(content).digest('hex');
  const identity = JSON.stringify([messageId, failedAt, timestamp ?? null, bodyHash]);
  return createHash('sha256').update(identity).digest();
}

/**
 * Why the broker itself dead-lettered a message into the DLQ (no consumer parked it, so it has no
 * `x-error`): a quorum queue's delivery limit after too many redeliveries, a reject without
 * requeue, a TTL or a length limit, with the queue and the count from `x-death`.
 */
function brokerReason(headers: Record<string, unknown>): string | null {
  const death = readBrokerDeath(headers);
  return death === null ? null : describeBrokerDeath(death);
}

/** What `parked_at` (DATETIME) holds: years 1000 to 9999. */
const EARLIEST = Date.UTC(1000, 0, 1);
const LATEST = Date.UTC(10000, 0, 1) - 1;
const storable = (ms: number) => Number.isFinite(ms) && ms >= EARLIEST && ms <= LATEST;

/**
 * `x-failed-at` when it is a date the archive can hold; else the message's own timestamp; else
 * now. A date out of range (a hand-made header, say year 10000) would make MySQL refuse the row.
 */
function parkedAtOf(failedAt: string | null, timestamp: unknown, archivedAt: Date): Date {
  const failed = failedAt === null ? NaN : Date.parse(failedAt);
  if (storable(failed)) return new Date(failed);
  if (typeof timestamp === 'number' && timestamp > 0) {
    // AMQP timestamps are seconds; some publishers write milliseconds
    const ms = timestamp < 1e11 ? timestamp * 1000 : timestamp;
    if (storable(ms)) return new Date(ms);
  }
  return archivedAt;
}

/** Custom messages say so; anything with a game id is about a game; the rest is other. */
function classify(body: unknown): { type: DeadLetterType; gameId: number | null } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { type: 'other', gameId: null };
  }
  const fields = body as Record<string, unknown>;
  const id = digitsToNumber(fields.gameId);
  const gameId =
    typeof id === 'number' && Number.isInteger(id) && id > 0 && id <= MAX_GAME_ID ? id : null;
  if (fields.type === 'custom') return { type: 'custom', gameId };
  if (gameId !== null || 'gameId' in fields || 'eventId' in fields) return { type: 'game', gameId };
  return { type: 'other', gameId: null };
}

function decodeUtf8(content: Buffer): string | null {
  try {
    return utf8.decode(content);
  } catch {
    return null;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The AMQP properties worth keeping, without the headers (stored apart) and unset ones. */
function plainProperties(props: MessageProperties): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(props).filter(
      ([name, value]) => name !== 'headers' && value !== undefined && value !== null,
    ),
  );
}

/**
 * Header values made JSON-safe: byte arrays become text (or `{base64}` when not UTF-8), bigints
 * strings, nested tables and arrays (the broker's `x-death`) are converted the same way.
 */
export function jsonHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).map(([name, v]) => [name, jsonValue(v)]));
}

function jsonValue(value: unknown): unknown {
  if (Buffer.isBuffer(value)) {
    const text = decodeUtf8(value);
    return text ?? { base64: value.toString('base64') };
  }
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonValue);
  if (typeof value === 'object' && value !== null) {
    return jsonHeaders(value as Record<string, unknown>);
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

function asText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
