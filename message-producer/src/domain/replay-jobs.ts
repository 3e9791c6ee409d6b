import { AppError, type Logger, type ReplayJob } from '@retro/common';
import type { Pool } from 'mysql2/promise';
import { claimRows, markReplayed } from '../data-access/archive-changes.js';
import type { DeadLetterFilter, PageCursor } from '../data-access/archive-filter.js';
import { closeAudit, recordAffected } from '../data-access/audit-trail.js';
import type { Broker } from '../data-access/broker.js';
import { inTransaction } from '../data-access/db.js';
import type { ProducerMetrics } from '../metrics.js';
import { replayCopy } from './replay-copy.js';

export const MAX_REPLAY_RATE = 1000;
export const DEFAULT_REPLAY_RATE = 100;

export type { ReplayJob } from '@retro/common';
export type ReplayJobStatus = ReplayJob['status'];

export interface ReplayPlan {
  /** Chosen by the caller, so the audit entry can name the job before it starts. */
  jobId: string;
  filter: DeadLetterFilter;
  target: unknown;
  rate: number;
  total: number;
  auditId: number;
  /** Who asked for the replay (the journeys' `replayed` steps). */
  by?: string | null;
  /** Called with the message ids of each batch once it is recorded (the old `/api/dlq/replay`). */
  onReplayed?: (messageIds: string[]) => void;
}

export interface ReplayJobsDeps {
  pool: Pool;
  broker: Broker;
  metrics: ProducerMetrics;
  logger: Logger;
  /** Jobs that may run at once (default 2). */
  maxRunning?: number;
  /** Finished jobs remembered for their progress reads (default 50). */
  keep?: number;
}

/**
 * Replays archived messages in the background at a bounded rate. Each batch is claimed with
 * `FOR UPDATE SKIP LOCKED`, published (confirmed and routed), marked replayed and recorded in the
 * audit trail in one transaction, so two jobs never send the same row and a row is marked only
 * after the broker took its copy. A crash between the broker's confirm and the commit leaves the
 * row unmarked: replayed again by a later job (at least once, never lost).
 */
export class ReplayJobs {
  private readonly jobs = new Map<string, ReplayJob>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly cancelled = new Set<string>();

  constructor(private readonly deps: ReplayJobsDeps) {}

  /** 429 when as many jobs run as may run at once. */
  assertCapacity(): void {
    const max = this.deps.maxRunning ?? 2;
    if (this.running.size >= max) {
      throw new AppError(
        'RATE_LIMITED',
        429,
        `At most ${max} replays may run at once; try again soon`,
      );
    }
  }

  /** Starts the job and answers at once; `done` settles when it has ended. */
  start(plan: ReplayPlan): { job: ReplayJob; done: Promise<ReplayJob> } {
    this.assertCapacity();
    const job: ReplayJob = {
      jobId: plan.jobId,
      status: 'running',
      target: plan.target,
      rate: plan.rate,
      total: plan.total,
      replayed: 0,
      failed: 0,
      skipped: 0,
      auditId: plan.auditId,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      error: null,
    };
    this.remember(job);
    const run = this.run(job, plan).finally(() => {
      this.running.delete(job.jobId);
      this.cancelled.delete(job.jobId);
    });
    this.running.set(job.jobId, run);
    return { job: { ...job }, done: run.then(() => ({ ...job })) };
  }

  get(jobId: string): ReplayJob | undefined {
    const job = this.jobs.get(jobId);
    return job && { ...job };
  }

  /** Newest first. */
  list(): ReplayJob[] {
    return [...this.jobs.values()].reverse().map((job) => ({ ...job }));
  }

  /** Asks a running job to stop after its current batch; false if it is not running. */
  cancel(jobId: string): boolean {
    if (!this.running.has(jobId)) return false;
    this.cancelled.add(jobId);
    return true;
  }

  /** Messages still to replay over all running jobs (a metric). */
  pendingMessages(): number {
    let pending = 0;
    for (const id of this.running.keys()) {
      const job = this.jobs.get(id)!;
      pending += Math.max(job.total - job.replayed - job.failed, 0);
    }
    return pending;
  }

  get runningCount(): number {
    return this.running.size;
  }

  async stop(): Promise<void> {
    for (const id of this.running.keys()) this.cancelled.add(id);
    await Promise.all(this.running.values());
  }

  private async run(job: ReplayJob, plan: ReplayPlan): Promise<void> {
    const { metrics } = this.deps;
    const started = performance.now();
    const slotMs = 1000 / plan.rate;
    const batchSize = Math.min(100, Math.max(1, Math.ceil(plan.rate / 5)));
    let sent = 0;
    let cursor: PageCursor | undefined;
    try {
      while (!this.cancelled.has(job.jobId)) {
        const batch = await this.replayBatch(
          plan,
          cursor,
          batchSize,
          (i) => started + (sent + i) * slotMs,
        );
        if (batch.claimed === 0) break;
        sent += batch.claimed;
        cursor = batch.cursor;
        job.replayed += batch.replayed.length;
        job.failed += batch.failures;
        metrics.replayed.inc(batch.replayed.length);
        plan.onReplayed?.(batch.replayed.map((r) => r.messageId ?? ''));
        if (batch.error) throw batch.error;
      }
      // n messages at r per second take n / r seconds: the last one's slot ends the job
      await sleepUntil(started + sent * slotMs);
      job.status = this.cancelled.has(job.jobId) ? 'cancelled' : 'completed';
    } catch (error) {
      job.status = 'failed';
      job.error = error instanceof Error ? error.message : String(error);
    }
    job.finishedAt = new Date().toISOString();
    if (job.status === 'completed') job.skipped = Math.max(job.total - job.replayed, 0);
    await this.record(job);
  }

  /** A job's end in the metrics, the audit trail (its outcome) and the log. */
  private async record(job: ReplayJob): Promise<void> {
    const { logger, metrics, pool } = this.deps;
    metrics.replayJobs.inc({ status: job.status });
    const { jobId, status, total, replayed, failed, skipped, error } = job;
    const outcome = { jobId, status, replayed, failed, skipped, error };
    await closeAudit(pool, job.auditId, outcome).catch((e: unknown) =>
      logger.error('could not record the end of a replay', { jobId, error: e }),
    );
    logger.info('replay finished', { ...outcome, total });
  }

  /**
   * Claims, publishes at the paced times, marks and records one batch in one transaction. A
   * failed publish ends the job after this batch; the copies confirmed before it are kept.
   */
  private replayBatch(
    plan: ReplayPlan,
    cursor: PageCursor | undefined,
    size: number,
    slotOf: (i: number) => number,
  ) {
    const { pool, broker } = this.deps;
    // not retried: a batch that ran again after its publishes would send them twice
    return inTransaction(
      pool,
      async (connection) => {
        const rows = await claimRows(connection, plan.filter, cursor, size);
        const outcomes = await Promise.allSettled(
          rows.map(async (row, i) => {
            await sleepUntil(slotOf(i));
            const copy = replayCopy(row);
            await broker.send(broker.queues.main, copy.content, copy.properties);
            return { id: row.id, sentAs: copy.properties.messageId, messageId: row.messageId };
          }),
        );
        const replayed = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
        const firstFailure = outcomes.find((o) => o.status === 'rejected');
        await markReplayed(connection, replayed, plan.by ?? null);
        await recordAffected(connection, plan.auditId, replayed);
        const last = rows.at(-1);
        return {
          claimed: rows.length,
          cursor: last ? { parkedAt: new Date(last.parkedAt), id: last.id } : cursor,
          replayed,
          failures: outcomes.length - replayed.length,
          error: firstFailure?.status === 'rejected' ? (firstFailure.reason as unknown) : undefined,
        };
      },
      1,
    );
  }

  private remember(job: ReplayJob): void {
    this.jobs.set(job.jobId, job);
    for (const [id, old] of this.jobs) {
      if (this.jobs.size <= (this.deps.keep ?? 50)) break;
      if (old.status !== 'running') this.jobs.delete(id);
    }
  }
}

function sleepUntil(at: number): Promise<void> {
  const wait = at - performance.now();
  return wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : Promise.resolve();
}
