import type { MessageProperties, Options } from 'amqplib';
import { DELIVERY_LIMITS, HEADERS, MAX_RETRY_COUNT_HEADER } from './message-rules.js';

/**
 * The broker's dead-lettering record: `x-death`, `x-first-death-*`, `x-last-death-*`. Only the
 * broker writes these; a copy that carried them over would confuse its bookkeeping, and a tester
 * who set them would forge a history. Compared without regard to case, since a forged `X-Death`
 * reads as the real thing to anyone looking.
 */
const BROKER_DEATH_HEADER = /^x-(death|(first|last)-death-.+)$/i;

export function isBrokerDeathHeader(name: string): boolean {
  return BROKER_DEATH_HEADER.test(name);
}

/** A counting header as a delivery carries it: its value, bounded, and whether it was above. */
export interface HeaderCount {
  /** A non-negative integer, at most MAX_RETRY_COUNT_HEADER; absent or garbage is 0. */
  value: number;
  /** The header held an integer above the bound (someone published straight to a queue). */
  aboveBound: boolean;
}

/**
 * A counting header (`x-retry-count`, `x-deferrals`) read from a delivery. Anyone may publish to
 * the queues directly, so the value is bounded here, where it enters: a count above the bound
 * reads as the bound, and the caller decides what that means (the consumer parks the message).
 */
export function readCountHeader(
  headers: Record<string, unknown> | undefined,
  name: string,
): HeaderCount {
  const raw = headers?.[name];
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    return { value: 0, aboveBound: false };
  }
  return value > MAX_RETRY_COUNT_HEADER
    ? { value: MAX_RETRY_COUNT_HEADER, aboveBound: true }
    : { value, aboveBound: false };
}

/** A counting header as a non-negative integer, at most the bound; absent or garbage is 0. */
export function readCount(headers: Record<string, unknown> | undefined, name: string): number {
  return readCountHeader(headers, name).value;
}

/** `x-retry-count` as a non-negative integer, at most the bound; absent or garbage counts as 0. */
export function readRetryCount(headers: Record<string, unknown> | undefined): number {
  return readCount(headers, HEADERS.retryCount);
}

/**
 * The properties a copy of a message keeps from it: id, content type and encoding, correlation
 * id, timestamp, type, app id and priority. Headers, persistence and expiry are the copy's own
 * business (a retry adds a count, a replay drops the failure record).
 */
export type CarriedProperties = Pick<
  Options.Publish,
  | 'contentType'
  | 'contentEncoding'
  | 'correlationId'
  | 'messageId'
  | 'timestamp'
  | 'type'
  | 'appId'
  | 'priority'
>;

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
const number = (value: unknown) => (typeof value === 'number' ? value : undefined);

/**
 * The carried properties of a delivery, or of its record in an archive (where they went through
 * JSON): anything not of the right type is left out rather than published malformed.
 */
export function carriedProperties(
  properties: Partial<MessageProperties> | Record<string, unknown>,
): CarriedProperties {
  const p = properties as Record<string, unknown>;
  return {
    contentType: text(p.contentType),
    contentEncoding: text(p.contentEncoding),
    correlationId: text(p.correlationId),
    messageId: text(p.messageId),
    timestamp: number(p.timestamp),
    type: text(p.type),
    appId: text(p.appId),
    priority: number(p.priority),
  };
}

/** A quorum queue's count of a message's earlier deliveries, set on each redelivery. */
const DELIVERY_COUNT = 'x-delivery-count';

/**
 * `headers` without what the broker wrote on the delivery: its dead-lettering record and a quorum
 * queue's delivery count (a copy is a new message; its count starts again).
 */
export function withoutBrokerHeaders(
  headers: Record<string, unknown> | undefined,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).filter(
      ([name]) => !isBrokerDeathHeader(name) && name.toLowerCase() !== DELIVERY_COUNT,
    ),
  );
}

/** The JSON length of a header value as a delivery carries it (byte arrays as their text). */
function valueLength(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (Buffer.isBuffer(value)) return value.length;
  try {
    return JSON.stringify(value, (_key, v: unknown) =>
      typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('latin1') : v,
    ).length;
  } catch {
    return Infinity;
  }
}

/**
 * The first of DELIVERY_LIMITS that a delivery breaks, worded as its parking reason, or null.
 * Checked before anything else reads the delivery, so nothing downstream (the backend's task, the
 * archive) is handed an absurd value.
 */
export function deliveryBeyondLimits(
  content: Buffer,
  headers: Record<string, unknown> | undefined,
): string | null {
  const { headerCount, nameLength, valueLength: maxValue, bodyBytes } = DELIVERY_LIMITS;
  if (content.length > bodyBytes) {
    return `body of ${content.length} bytes is over the bound of ${bodyBytes}`;
  }
  const entries = Object.entries(headers ?? {});
  if (entries.length > headerCount) {
    return `${entries.length} headers are over the bound of ${headerCount}`;
  }
  for (const [name, value] of entries) {
    if (name.length > nameLength) {
      return `a header name of ${name.length} characters is over the bound of ${nameLength}`;
    }
    const length = valueLength(value);
    if (length > maxValue) {
      return `header ${name.slice(0, 64)} of ${length} characters is over the bound of ${maxValue}`;
    }
  }
  return null;
}

/**
 * The headers of `headers` within DELIVERY_LIMITS, in their order, at most `room` of them: what a
 * copy of an over-limit delivery keeps, so the copy itself (the parked one) is within them.
 */
export function headersWithinLimits(
  headers: Record<string, unknown> | undefined,
  room: number,
): Record<string, unknown> {
  const { nameLength, valueLength: maxValue } = DELIVERY_LIMITS;
  const kept = Object.entries(headers ?? {}).filter(
    ([name, value]) => name.length <= nameLength && valueLength(value) <= maxValue,
  );
  return Object.fromEntries(kept.slice(0, Math.max(0, room)));
}
