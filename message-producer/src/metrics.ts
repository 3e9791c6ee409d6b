import { httpMetrics, serviceRegistry } from '@retro/common';
import { Counter, Gauge } from 'prom-client';

/** The producer's Prometheus counters, in a registry of its own (one per running service). */
export class ProducerMetrics {
  readonly registry = serviceRegistry();
  /** Middleware recording HTTP latency by route. */
  readonly observeHttp = httpMetrics(this.registry);

  readonly published = new Counter({
    name: 'producer_messages_published_total',
    help: 'Publish attempts, confirmed or not',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly confirmed = new Counter({
    name: 'producer_messages_confirmed_total',
    help: 'Messages the broker confirmed',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly failed = new Counter({
    name: 'producer_publish_failures_total',
    help: 'Publishes that failed: broker unreachable, message nacked, returned unrouted or not confirmed in time',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly replayed = new Counter({
    name: 'producer_messages_replayed_total',
    help: 'Parked messages moved back from the DLQ to the main queue',
    registers: [this.registry],
  });

  readonly archived = new Counter({
    name: 'producer_dead_letters_archived_total',
    help: 'Parked messages moved from the DLQ into the archive, by message type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly archiveFailures = new Counter({
    name: 'producer_dead_letter_archive_failures_total',
    help: 'Archive batches that could not be stored (held and retried)',
    registers: [this.registry],
  });

  readonly deleted = new Counter({
    name: 'producer_dead_letters_deleted_total',
    help: 'Archived messages deleted from the console',
    registers: [this.registry],
  });

  readonly replayJobs = new Counter({
    name: 'producer_replay_jobs_total',
    help: 'Replay jobs that ended, by how they ended',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  /**
   * Gauges read when scraped: archive size, the biggest groups (a bounded label set: the top
   * {@link TOP_GROUPS} groups, the rest summed under group="other") and replay progress.
   */
  watchArchive(source: ArchiveGauges): void {
    new Gauge({
      name: 'producer_dead_letters_archived',
      help: 'Messages in the dead-letter archive',
      registers: [this.registry],
      async collect() {
        const size = await source.size().catch(() => undefined);
        if (size) this.set(size.total);
      },
    });
    new Gauge({
      name: 'producer_dead_letters_by_group',
      help: `Archived messages of the ${TOP_GROUPS} biggest failure groups; the rest as group="other"`,
      labelNames: ['group'] as const,
      registers: [this.registry],
      async collect() {
        const size = await source.size().catch(() => undefined);
        this.reset();
        if (!size) return;
        let rest = size.total;
        for (const { groupId, count } of size.top) {
          this.set({ group: groupId }, count);
          rest -= count;
        }
        this.set({ group: 'other' }, Math.max(rest, 0));
      },
    });
    new Gauge({
      name: 'producer_replay_jobs_running',
      help: 'Replay jobs running now',
      registers: [this.registry],
      collect() {
        this.set(source.runningJobs());
      },
    });
    new Gauge({
      name: 'producer_replay_pending_messages',
      help: 'Messages the running replay jobs have yet to send',
      registers: [this.registry],
      collect() {
        this.set(source.pendingReplays());
      },
    });
  }
}

export const TOP_GROUPS = 10;

/** Where the archive gauges read from. */
export interface ArchiveGauges {
  size(): Promise<{ total: number; top: { groupId: string; count: number }[] }>;
  runningJobs(): number;
  pendingReplays(): number;
}
