import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { Alert, Logger } from '@retro/common';
import type { Pool, Row } from '../data-access/db.js';
import * as alerts from '../data-access/alerts-repo.js';
import { releaseLease, tryLease } from '../data-access/alert-delivery-repo.js';
import { backlog } from '../data-access/outbox-repo.js';
import { countStalled } from '../data-access/tasks-repo.js';
import { readQueues, type probedQueues } from './queue-probe.js';
import {
  evaluateRules,
  planTransitions,
  type AlertThresholds,
  type HeldSince,
  type Observations,
} from './rules.js';
import { deliverNotifications } from './webhook.js';

export interface AlertingOptions {
  pool: Pool;
  broker: AmqpConnectionManager;
  logger: Logger;
  /** The queues to read: the main queue's consumers and the DLQ's depth feed the rules. */
  queues: ReturnType<typeof probedQueues>;
  thresholds: AlertThresholds;
  /** TASK_STALLED_AFTER_MS. */
  stalledAfterMs: number;
  /** ALERT_EVALUATE_INTERVAL_MS. */
  intervalMs: number;
  /** ALERT_LEASE_MS: longer than the tick, so a live holder always renews in time. */
  leaseMs: number;
  /** ALERT_WEBHOOK_URL, or null for none. */
  webhookUrl: string | null;
  /** ALERT_LINK_BASE_URL. */
  linkBase: string;
  /** First webhook retry delay (default 1 s). */
  webhookBackoffBaseMs?: number;
  /** Time between two lease renewals and webhook rounds (default min(1 s, intervalMs)). */
  tickMs?: number;
  /** Called for each raise and resolve this replica made. */
  onTransition?: (alert: Alert) => void;
}

/**
 * The built-in alerts: every tick, each replica tries to take or renew the lease (one MySQL row);
 * the holder evaluates the rules every `intervalMs`, stores raises and resolves with their
 * notifications in one transaction each, and delivers pending notifications to the webhook.
 */
export class Alerting {
  /** This replica's name in the lease row. */
  readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private heldSince: HeldSince = {};
  private lastEvaluated = 0;
  private leader = false;
  private failing = false;

  constructor(private readonly options: AlertingOptions) {}

  start(): void {
    const tickMs = this.options.tickMs ?? Math.min(1000, this.options.intervalMs);
    this.timer = setInterval(() => {
      this.running ??= this.tick()
        .then(() => (this.failing = false))
        .catch((error: unknown) => {
          // once per outage, not once a second while the database is away
          if (!this.failing) this.options.logger.warn('alert evaluation failed', { error });
          this.failing = true;
        })
        .finally(() => (this.running = undefined));
    }, tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    if (this.leader) await releaseLease(this.options.pool, this.holder).catch(() => undefined);
  }

  /** One tick: the lease, then (when held and due) an evaluation, then the webhook. */
  async tick(now = Date.now()): Promise<boolean> {
    const { pool, leaseMs, webhookUrl } = this.options;
    const leader = await tryLease(pool, this.holder, leaseMs);
    if (leader !== this.leader) this.options.logger.info('alert lease', { holder: leader });
    this.leader = leader;
    if (!leader) {
      this.heldSince = {};
      return false;
    }
    if (now - this.lastEvaluated >= this.options.intervalMs) {
      this.lastEvaluated = now;
      await this.evaluate(now);
    }
    if (webhookUrl) {
      await deliverNotifications({
        pool,
        url: webhookUrl,
        logger: this.options.logger,
        backoffBaseMs: this.options.webhookBackoffBaseMs,
        // one POST never outlasts the lease it was sent under
        timeoutMs: Math.min(10_000, leaseMs / 2),
        renewLease: () => tryLease(pool, this.holder, leaseMs),
      });
    }
    return true;
  }

  private async evaluate(now: number): Promise<void> {
    const { pool, logger } = this.options;
    const seen = await this.observe(now);
    const { verdicts, heldSince } = evaluateRules(seen, this.options.thresholds, this.heldSince);
    this.heldSince = heldSince;
    const firing = await alerts.firingAlerts(pool);
    const plan = planTransitions(verdicts, new Set(firing.map((a) => a.rule)));
    const notify = { enabled: this.options.webhookUrl !== null, linkBase: this.options.linkBase };
    for (const verdict of plan.raise) {
      const alert = await alerts.raiseAlert(pool, verdict.rule, verdict.summary, notify);
      if (!alert) continue;
      logger.warn('alert raised', { alertId: alert.id, rule: alert.rule, summary: alert.summary });
      this.options.onTransition?.(alert);
    }
    for (const rule of plan.resolve) {
      const raised = firing.find((a) => a.rule === rule)!;
      const alert = await alerts.resolveAlert(pool, raised.id, notify);
      if (!alert) continue;
      logger.info('alert resolved', { alertId: alert.id, rule: alert.rule });
      this.options.onTransition?.(alert);
    }
  }

  /** What the rules look at; a reading that fails is null (its rule keeps its state). */
  private async observe(now: number): Promise<Observations> {
    const { pool, broker, queues, thresholds } = this.options;
    const orNull = <T>(reading: Promise<T>) => reading.catch(() => null);
    const [stalledTasks, outbox, archived, readings] = await Promise.all([
      orNull(countStalled(pool, this.options.stalledAfterMs)),
      orNull(backlog(pool)),
      orNull(archivedSince(pool, new Date(now - thresholds.deadLetterWindowMs))),
      readQueues(broker, queues),
    ]);
    const main = readings?.find((r) => r.role === 'main');
    const dlq = readings?.find((r) => r.role === 'dlq');
    return {
      at: now,
      brokerConnected: broker.isConnected(),
      stalledTasks,
      deadLettersWaiting: dlq ? dlq.messages : null,
      deadLettersArchived: archived,
      mainQueueConsumers: main ? main.consumers : null,
      outboxOldestAgeMs: outbox ? outbox.oldestAgeMs : null,
    };
  }
}

/** Dead letters the producer archived that were parked since `since` (index on parked_at). */
async function archivedSince(pool: Pool, since: Date): Promise<number> {
  const [[row]] = await pool.query<Row[]>(
    'SELECT COUNT(*) AS n FROM dead_letters WHERE parked_at >= ?',
    [since],
  );
  return Number(row!.n);
}
