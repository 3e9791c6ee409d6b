import { randomUUID } from 'node:crypto';
import { AppError, type BulkJob, type Logger } from '@retro/common';
import type { MessageKind, MessagePlan } from './messages.js';
import type { Publisher } from './publisher.js';

export type { BulkJob } from '@retro/common';
export type BulkStatus = BulkJob['status'];

export interface BulkJobsOptions {
  /** Publishes awaiting their confirm at once; bounds memory and keeps the event loop free. */
  window?: number;
  /** Jobs that may run at the same time. */
  maxRunning?: number;
  /** Finished jobs remembered for their progress reads. */
  keep?: number;
}

/** Runs bulk publishes in the background and remembers their progress. */
export class BulkJobs {
  private readonly jobs = new Map<string, BulkJob>();
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;
  private readonly window: number;
  private readonly maxRunning: number;
  private readonly keep: number;

  constructor(
    private readonly publisher: Publisher,
    private readonly logger: Logger,
    options: BulkJobsOptions = {},
  ) {
    this.window = options.window ?? 200;
    this.maxRunning = options.maxRunning ?? 2;
    this.keep = options.keep ?? 50;
  }

  /** Starts publishing `count` messages from `plan`; answers at once with the job to poll. */
  start(kind: MessageKind, count: number, plan: MessagePlan): BulkJob {
    if (this.running.size >= this.maxRunning) {
      throw new AppError(
        'RATE_LIMITED',
        429,
        `At most ${this.maxRunning} bulk publishes may run at once`,
      );
    }
    if (!this.publisher.isConnected()) {
      throw AppError.unavailable('The message broker is unreachable');
    }
    const job: BulkJob = {
      jobId: randomUUID(),
      kind,
      count,
      sent: 0,
      confirmed: 0,
      failed: 0,
      status: 'running',
      error: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    this.remember(job);
    const run = this.run(job, plan).finally(() => this.running.delete(job.jobId));
    this.running.set(job.jobId, run);
    return { ...job };
  }

  get(jobId: string): BulkJob | undefined {
    const job = this.jobs.get(jobId);
    return job && { ...job };
  }

  /** Stops sending and waits for what was sent to be confirmed or refused. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running.values());
  }

  private async run(job: BulkJob, plan: MessagePlan): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    while (job.sent < job.count && failure === undefined && !this.stopping) {
      const pending: Promise<void> = this.publisher.publish(job.kind, plan()).then(
        () => void job.confirmed++,
        (error: unknown) => {
          job.failed++;
          failure ??= error;
        },
      );
      job.sent++;
      inFlight.add(pending);
      void pending.finally(() => inFlight.delete(pending));
      if (inFlight.size >= this.window) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    job.finishedAt = new Date().toISOString();
    if (failure !== undefined) {
      job.status = 'failed';
      job.error = failure instanceof Error ? failure.message : String(failure);
    } else {
      job.status = job.confirmed === job.count ? 'completed' : 'cancelled';
    }
    this.logger.info('bulk publish finished', {
      jobId: job.jobId,
      status: job.status,
      confirmed: job.confirmed,
      count: job.count,
    });
  }

  private remember(job: BulkJob): void {
    this.jobs.set(job.jobId, job);
    for (const [id, old] of this.jobs) {
      if (this.jobs.size <= this.keep) break;
      if (old.status !== 'running') this.jobs.delete(id);
    }
  }
}
