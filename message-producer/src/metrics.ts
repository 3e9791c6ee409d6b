import { httpMetrics, serviceRegistry } from '@retro/common';
import { Counter } from 'prom-client';

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
}
