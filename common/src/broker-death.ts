/**
 * Reading the broker's own dead-lettering record. A message the broker dead-letters by itself (a
 * quorum queue's delivery limit, a reject without requeue, a TTL, a length limit) reaches the DLQ
 * with no `x-error`: the consumer never saw it fail. What happened is only in `x-death`.
 */

/** The reasons RabbitMQ writes into `x-death`. */
export const BROKER_DEATH_REASONS = ['delivery_limit', 'rejected', 'expired', 'maxlen'] as const;

/** The broker's latest dead-lettering of a message. */
export interface BrokerDeath {
  /** One of BROKER_DEATH_REASONS, or whatever a later broker version writes. */
  reason: string;
  /** The queue the message was dead-lettered from. */
  queue: string | null;
  /** How often it was dead-lettered from that queue for that reason. */
  count: number | null;
  /** A quorum queue's count of earlier deliveries, when the broker kept it on the message. */
  deliveryCount: number | null;
}

const text = (value: unknown): string | null => {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return null;
};

const count = (value: unknown): number | null => {
  const n =
    typeof value === 'bigint' ? Number(value) : typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : null;
};

/**
 * The latest dead-lettering in `headers`, or null when the broker never dead-lettered the message.
 * `x-death` lists the newest first (one entry per queue and reason); RabbitMQ 3.13 and later also
 * write `x-last-death-*`, and every version `x-first-death-*`. The newest matters: a retry copy that
 * came back from its tier by TTL (`expired`) and was then dead-lettered for its delivery limit
 * carries both, and only the second is why it is in the DLQ.
 */
export function readBrokerDeath(headers: Record<string, unknown> | undefined): BrokerDeath | null {
  if (!headers) return null;
  const deliveryCount = count(headers['x-delivery-count']);
  const deaths = headers['x-death'];
  const latest = Array.isArray(deaths) ? (deaths[0] as unknown) : undefined;
  if (typeof latest === 'object' && latest !== null) {
    const entry = latest as Record<string, unknown>;
    const reason = text(entry.reason);
    if (reason) {
      return { reason, queue: text(entry.queue), count: count(entry.count), deliveryCount };
    }
  }
  for (const which of ['last', 'first'] as const) {
    const reason = text(headers[`x-${which}-death-reason`]);
    if (reason) {
      const queue = text(headers[`x-${which}-death-queue`]);
      return { reason, queue, count: null, deliveryCount };
    }
  }
  return null;
}

const WHAT: Record<string, string> = {
  delivery_limit: 'delivery limit reached',
  rejected: 'rejected without requeue',
  expired: 'message TTL expired',
  maxlen: 'queue length limit reached',
};

/**
 * The archive's reason for a broker dead-lettering, e.g. `dead-lettered by the broker: delivery
 * limit reached on game_events (after 100 deliveries; count 1)`.
 */
export function describeBrokerDeath(death: BrokerDeath): string {
  const what = WHAT[death.reason] ?? `reason "${death.reason}"`;
  const where = death.queue === null ? '' : ` on ${death.queue}`;
  const details = [
    death.deliveryCount === null ? null : `after ${death.deliveryCount} deliveries`,
    // "count 3", not "3 times": one wording for every count keeps them in one failure group
    death.count === null ? null : `count ${death.count}`,
  ].filter((part) => part !== null);
  return `dead-lettered by the broker: ${what}${where}${details.length ? ` (${details.join('; ')})` : ''}`;
}
