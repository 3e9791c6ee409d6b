import {
  FLOW_HISTORY_MS,
  FLOW_SAMPLE_INTERVAL_MS,
  type FlowSample,
  type Logger,
} from '@retro/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { readQueues, type probedQueues } from '../alerts/queue-probe.js';
import type { Queryable, Row } from '../data-access/db.js';
import { taskLatency } from '../data-access/latency-repo.js';
import { backlog } from '../data-access/outbox-repo.js';
import { FlowRing } from './flow-ring.js';

export interface FlowSamplerOptions {
  pool: Queryable;
  broker: AmqpConnectionManager;
  queues: ReturnType<typeof probedQueues>;
  logger: Logger;
  intervalMs?: number;
  historyMs?: number;
}

/**
 * Every replica samples the flow itself, every 5 s, into a ring of the last 15 minutes that
 * `GET /api/tasks/flow` answers from: the page's charts cost one cheap read per poll, not a
 * database and broker round per viewer. Task rates count the rows whose status changed in the
 * interval (database clock, `idx_tasks_status_updated`), so replicas agree and a restart needs no
 * counter state.
 */
export class FlowSampler {
  readonly ring: FlowRing;
  readonly intervalMs: number;
  readonly historyMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Database time of the previous reading: the start of the next interval. */
  private since: Date | undefined;
  private lastDlqDepth: number | undefined;
  private failing = false;

  constructor(private readonly options: FlowSamplerOptions) {
    this.intervalMs = options.intervalMs ?? FLOW_SAMPLE_INTERVAL_MS;
    this.historyMs = options.historyMs ?? FLOW_HISTORY_MS;
    this.ring = new FlowRing(Math.ceil(this.historyMs / this.intervalMs));
  }

  start(): void {
    this.timer ??= setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
    void this.sample();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Takes one sample now (a tick still running is awaited instead). */
  sample(): Promise<void> {
    this.running ??= this.read()
      .then((sample) => {
        if (sample) this.ring.push(sample);
        this.failing = false;
      })
      .catch((error: unknown) => {
        if (!this.failing) this.options.logger.warn('flow sample failed', { error });
        this.failing = true;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async read(): Promise<FlowSample | undefined> {
    const { pool, broker, queues } = this.options;
    const [[clock]] = await pool.query<Row[]>('SELECT CURRENT_TIMESTAMP(3) AS now');
    const now = clock!.now as Date;
    const from = this.since ?? new Date(now.getTime() - this.intervalMs);
    const seconds = Math.max((now.getTime() - from.getTime()) / 1000, 0.001);
    const [ended, outbox, latency, readings] = await Promise.all([
      pool.query<Row[]>(
        `SELECT status, COUNT(*) AS n FROM processing_tasks
          WHERE status IN ('completed', 'failed') AND updated_at > ? AND updated_at <= ?
          GROUP BY status`,
        [from, now],
      ),
      backlog(pool).catch(() => null),
      taskLatency(pool, 60).catch(() => null),
      readQueues(broker, queues),
    ]);
    this.since = now;
    const counted = (status: string) =>
      Number(ended[0].find((row) => row.status === status)?.n ?? 0);
    const depth = (role: 'main' | 'retry' | 'dlq') =>
      readings
        ? readings.filter((r) => r.role === role).reduce((sum, r) => sum + r.messages, 0)
        : null;
    const dlq = depth('dlq');
    const parked =
      dlq === null || this.lastDlqDepth === undefined ? 0 : Math.max(0, dlq - this.lastDlqDepth);
    if (dlq !== null) this.lastDlqDepth = dlq;
    return {
      at: Date.now(),
      completedPerSec: round(counted('completed') / seconds),
      failedPerSec: round(counted('failed') / seconds),
      parkedPerSec: round(parked / seconds),
      mainDepth: depth('main'),
      retryDepth: depth('retry'),
      outboxBacklog: outbox?.count ?? null,
      outboxOldestAgeMs: outbox?.oldestAgeMs ?? null,
      p95Ms: latency?.p95Ms ?? null,
    };
  }
}

const round = (value: number) => Math.round(value * 100) / 100;
