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
  const relayPauses = new client.Counter({
    name: 'outbox_relay_pauses_total',
    help: 'Times the outbox relay paused with backoff: reason="database" (unreachable), "mark-failed" (confirmed events not marked published) or "error"',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const markFailures = new client.Counter({
    name: 'outbox_mark_failures_total',
    help: 'Events the broker confirmed whose "published" mark failed to commit; they are published again and the consumer acks them as duplicates',
    registers: [registry],
  });
  // the gauges read the database: while it is away they keep their last value, so /metrics still
  // answers and shows the relay's pauses
  new client.Gauge({
    name: 'outbox_backlog',
    help: 'Events waiting in the outbox to be published',
    registers: [registry],
    async collect() {
      const found = await backlog(pool).catch(() => null);
      if (found) this.set(found.count);
    },
  });
  new client.Gauge({
    name: 'outbox_oldest_age_seconds',
    help: 'Age of the oldest unpublished outbox event',
    registers: [registry],
    async collect() {
      const found = await backlog(pool).catch(() => null);
      if (found) this.set(found.oldestAgeMs / 1000);
    },
  });
  new client.Gauge({
    name: 'processing_tasks_stalled',
    help: 'Tasks pending or processing with no status change for TASK_STALLED_AFTER_MS (message probably lost)',
    registers: [registry],
    async collect() {
      const stalled = await countStalled(pool, stalledAfterMs).catch(() => null);
      if (stalled !== null) this.set(stalled);
    },
  });
  const rowsPruned = new client.Counter({
    name: 'housekeeping_rows_pruned_total',
    help: 'Rows removed by housekeeping: published outbox rows, finished tasks, sessions and audit entries past their retention',
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

  // from the commit of the change (the task's created_at) to its completion, both the database's
  // clock; observed once per task, when its completed report is applied
  const endToEnd = new client.Histogram({
    name: 'task_end_to_end_seconds',
    help: 'Time from the commit of a change (its task created) to the completion of its task',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600],
    registers: [registry],
  });

  const stream = streamMetrics(registry);

  return {
    registry,
    stream,
    observeHttp,
    eventsWritten,
    eventsPublished,
    eventsRefused,
    relayPauses,
    markFailures,
    statusWrites,
    statusReportsRefused,
    rowsPruned,
    endToEnd,
  };
}

export type BackendMetrics = ReturnType<typeof createMetrics>;

/** The live task stream's own metrics: its viewers, the notices between instances, the catch-up. */
function streamMetrics(registry: client.Registry) {
  return {
    open: new client.Gauge({
      name: 'task_streams_open',
      help: 'Live task streams (GET /api/tasks/stream) open on this instance',
      registers: [registry],
    }),
    refused: new client.Counter({
      name: 'task_streams_refused_total',
      help: 'Live streams refused with 429: cap="server" (STREAM_MAX_CLIENTS) or "client" (STREAM_MAX_PER_CLIENT)',
      labelNames: ['cap'] as const,
      registers: [registry],
    }),
    slowReadersDropped: new client.Counter({
      name: 'task_stream_slow_readers_dropped_total',
      help: 'Live streams closed because their reader fell too far behind (unsent buffer over the bound)',
      registers: [registry],
    }),
    watchedElsewhere: new client.Gauge({
      name: 'task_stream_watched_elsewhere',
      help: 'Whether another instance announced live-stream viewers in the last 3 s (1) or not (0); task-change notices are published only then',
      registers: [registry],
    }),
    noticesPublished: new client.Counter({
      name: 'task_notices_published_total',
      help: 'Task-change notices this instance published to the other instances and the broker confirmed',
      registers: [registry],
    }),
    noticesFailed: new client.Counter({
      name: 'task_notice_publish_failures_total',
      help: 'Task-change notices not published (broker away, refused, unroutable or too many waiting); the catch-up repairs them',
      registers: [registry],
    }),
    noticesReceived: new client.Counter({
      name: 'task_notices_received_total',
      help: 'Task-change notices received from other backend instances',
      registers: [registry],
    }),
    catchUpRows: new client.Counter({
      name: 'task_stream_catch_up_rows_total',
      help: 'Rows read from the change order: kind="periodic" (the catch-up) or "resume" (a viewer that reconnected)',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    repaired: new client.Counter({
      name: 'task_stream_repaired_total',
      help: 'Changes the periodic catch-up sent because no notice had brought them (lost, or still on the way)',
      registers: [registry],
    }),
    reloads: new client.Counter({
      name: 'task_stream_reloads_total',
      help: 'Viewers told to re-read their list (event: reload) instead of being sent what they missed',
      registers: [registry],
    }),
  };
}
