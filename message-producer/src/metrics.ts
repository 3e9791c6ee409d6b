import { httpMetrics, serviceRegistry } from '@retro/common';
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * The producer's Prometheus metrics, in a registry of its own (one per running service), built
 * the way every service builds them: a function returning the registry and its instruments.
 */
export function createMetrics() {
  const registry = serviceRegistry();
  return {
    registry,
    /** Middleware recording HTTP latency by route. */
    observeHttp: httpMetrics(registry),
    published: new Counter({
      name: 'producer_messages_published_total',
      help: 'Publish attempts, confirmed or not',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    confirmed: new Counter({
      name: 'producer_messages_confirmed_total',
      help: 'Messages the broker confirmed',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    failed: new Counter({
      name: 'producer_publish_failures_total',
      help: 'Publishes that failed: broker unreachable, message nacked, returned unrouted or not confirmed in time',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    replayed: new Counter({
      name: 'producer_messages_replayed_total',
      help: 'Parked messages moved back from the DLQ to the main queue',
      registers: [registry],
    }),
    archived: new Counter({
      name: 'producer_dead_letters_archived_total',
      help: 'Parked messages moved from the DLQ into the archive, by message type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    quarantined: new Counter({
      name: 'producer_dead_letters_quarantined_total',
      help: 'Parked messages the archive refused for their values, kept in the quarantine instead',
      registers: [registry],
    }),
    archiveFailures: new Counter({
      name: 'producer_dead_letter_archive_failures_total',
      help: 'Archive batches that could not be stored (held and retried)',
      registers: [registry],
    }),
    deleted: new Counter({
      name: 'producer_dead_letters_deleted_total',
      help: 'Archived messages deleted from the console (restorable until purged)',
      registers: [registry],
    }),
    restored: new Counter({
      name: 'producer_dead_letters_restored_total',
      help: 'Deleted messages an operator brought back into the archive',
      registers: [registry],
    }),
    purged: new Counter({
      name: 'producer_dead_letters_purged_total',
      help: 'Deleted messages removed for good once DELETED_DEAD_LETTER_RETENTION_MS had passed',
      registers: [registry],
    }),
    pruned: new Counter({
      name: 'producer_archive_rows_pruned_total',
      help: 'Rows removed by their retention: archived messages (DEAD_LETTER_RETENTION_MS) and console audit entries (AUDIT_RETENTION_MS)',
      labelNames: ['table'] as const,
      registers: [registry],
    }),
    replayJobs: new Counter({
      name: 'producer_replay_jobs_total',
      help: 'Replay jobs that ended, by how they ended',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
  };
}

export type ProducerMetrics = ReturnType<typeof createMetrics>;

/**
 * Gauges read when scraped: archive size, the biggest groups (a bounded label set: the top
 * {@link TOP_GROUPS} groups, the rest summed under group="other") and replay progress.
 */
export function watchArchive(registry: Registry, source: ArchiveGauges): void {
  new Gauge({
    name: 'producer_dead_letters_archived',
    help: 'Messages in the dead-letter archive',
    registers: [registry],
    async collect() {
      const size = await source.size().catch(() => undefined);
      if (size) this.set(size.total);
    },
  });
  new Gauge({
    name: 'producer_dead_letters_by_group',
    help: `Archived messages of the ${TOP_GROUPS} biggest failure groups; the rest as group="other"`,
    labelNames: ['group'] as const,
    registers: [registry],
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
    registers: [registry],
    collect() {
      this.set(source.runningJobs());
    },
  });
  new Gauge({
    name: 'producer_replay_pending_messages',
    help: 'Messages the running replay jobs have yet to send',
    registers: [registry],
    collect() {
      this.set(source.pendingReplays());
    },
  });
}

export const TOP_GROUPS = 10;

/** Where the archive gauges read from. */
export interface ArchiveGauges {
  size(): Promise<{ total: number; top: { groupId: string; count: number }[] }>;
  runningJobs(): number;
  pendingReplays(): number;
}
