import type { Logger } from '@retro/common';
import type { Pool } from '../data-access/db.js';
import * as delivery from '../data-access/alert-delivery-repo.js';
import { webhookBackoffMs } from './rules.js';

export interface WebhookOptions {
  pool: Pool;
  /** ALERT_WEBHOOK_URL; it may carry a secret, so it is never logged. */
  url: string;
  logger: Logger;
  /** One attempt's limit. */
  timeoutMs?: number;
  /** First retry delay, doubled per attempt (tests shorten it). */
  backoffBaseMs?: number;
  /**
   * Renews the alert lease before each POST; false when it is lost, which ends the round. A
   * round of slow answers can outlast the lease: unrenewed, another replica would take it and
   * send the same notifications at the same time.
   */
  renewLease?: () => Promise<boolean>;
}

/**
 * Delivers the stored notifications in the order of their transitions, one POST each with its
 * `Idempotency-Key`: a 2xx marks it delivered; anything else (or no answer) schedules the same
 * notification again with a growing delay, and the ones after it wait, so a receiver never sees
 * a resolve before its raise. Run by the lease holder only.
 */
export async function deliverNotifications(options: WebhookOptions): Promise<number> {
  const { pool, logger } = options;
  let delivered = 0;
  for (const pending of await delivery.pendingNotifications(pool, 20)) {
    if (!pending.due) break;
    if (options.renewLease && !(await options.renewLease())) break;
    const outcome = await post(options, pending);
    if (outcome === 'ok') {
      await delivery.markDelivered(pool, pending.id);
      delivered++;
      continue;
    }
    const retryInMs = webhookBackoffMs(pending.attempts, options.backoffBaseMs);
    await delivery.markAttemptFailed(pool, pending.id, outcome, retryInMs);
    logger.warn('alert webhook did not accept a notification; retrying later', {
      key: pending.key,
      attempts: pending.attempts + 1,
      retryInMs,
      error: outcome,
    });
    break;
  }
  return delivered;
}

async function post(options: WebhookOptions, pending: delivery.PendingNotification) {
  try {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': pending.key },
      body: pending.payload,
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    await response.body?.cancel();
    return response.ok ? ('ok' as const) : `HTTP ${response.status}`;
  } catch (error) {
    // the cause, never the URL (it may hold a token)
    return error instanceof Error ? error.name : 'request failed';
  }
}
