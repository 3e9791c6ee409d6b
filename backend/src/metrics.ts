import client from 'prom-client';
import { httpMetrics, serviceRegistry } from '@retro/common';
import type { Pool } from './data-access/db.js';
import { backlog } from './data-access/outbox-repo.js';
import { countStalled } from './data-access/tasks-repo.js';

/** The backend's Prometheus metrics, in a registry of its own (several instances per process in tests). */
export function createMetrics(pool: Pool, stalledAfterMs: number) {
  const registry = serviceRegistry();
  const observeHttp = httpMetrics(registry);
  const eventsWritten = new client.Counter({
    name: 'outbox_events_written_total',
    help: 'Events written to the outbox together with a catalog change',
    registers: [registry],
  });
  const eventsPublished = new client.Counter({
    name: 'outbox_events_published_total',
    help: 'Outbox events published and confirmed by the broker',
    registers: [registry],
  });
  const eventsRefused = new client.Counter({
    name: 'outbox_events_publish_failures_total',
    help: 'Outbox event publishes the broker refused or did not confirm in time (published again later)',
    registers: [registry],
  });
  new client.Gauge({
    name: 'outbox_backlog',
    help: 'Events waiting in the outbox to be published',
    registers: [registry],
    async collect() {
      this.set((await backlog(pool)).count);
    },
  });
  new client.Gauge({
    name: 'outbox_oldest_age_seconds',
    help: 'Age of the oldest unpublished outbox event',
    registers: [registry],
    async collect() {
      this.set((await backlog(pool)).oldestAgeMs / 1000);
    },
  });
  new client.Gauge({
    name: 'processing_tasks_stalled',
    help: 'Tasks pending or processing with no status change for TASK_STALLED_AFTER_MS (message probably lost)',
    registers: [registry],
    async collect() {
      this.set(await countStalled(pool, stalledAfterMs));
    },
  });
  const rowsPruned = new client.Counter({
    name: 'housekeeping_rows_pruned_total',
    help: 'Rows removed by housekeeping: published outbox rows and finished tasks past their retention',
    labelNames: ['table'] as const,
    registers: [registry],
  });
  const statusWrites = new client.Counter({
    name: 'task_status_writes_total',
    help: 'Task status reports received from consumers',
    labelNames: ['status', 'applied'] as const,
    registers: [registry],
  });
  // also counted above (applied="false"); broken out because each one is a wrong message to look at
  const statusReportsRefused = new client.Counter({
    name: 'task_status_reports_refused_total',
    help: 'Status reports refused because their type or game contradicts the stored task',
    registers: [registry],
  });

  return {
    registry,
    observeHttp,
    eventsWritten,
    eventsPublished,
    eventsRefused,
    statusWrites,
    statusReportsRefused,
    rowsPruned,
  };
}

export type BackendMetrics = ReturnType<typeof createMetrics>;
