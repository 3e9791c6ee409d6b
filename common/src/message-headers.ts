import type { MessageProperties, Options } from 'amqplib';
import { HEADERS } from './message-rules.js';

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

/** A counting header (`x-retry-count`, `x-deferrals`) as a non-negative integer; absent or garbage is 0. */
export function readCount(headers: Record<string, unknown> | undefined, name: string): number {
  const raw = headers?.[name];
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0;
}

/** `x-retry-count` as a non-negative integer; absent or garbage counts as 0. */
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
