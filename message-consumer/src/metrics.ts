import { serviceRegistry } from '@retro/common';
import { Counter, Gauge, Histogram } from 'prom-client';

/**
 * The consumer's Prometheus metrics, in a registry of its own so several consumers can run in
 * one process (tests) without clashing on the global registry.
 */
export function createMetrics() {
  const registry = serviceRegistry();
  const counter = (name: string, help: string) =>
    new Counter({ name, help, registers: [registry] });
  return {
    registry,
    consumed: counter('consumer_messages_consumed_total', 'Messages delivered to this consumer'),
    acked: counter('consumer_messages_acked_total', 'Messages acknowledged'),
    retried: counter(
      'consumer_messages_retried_total',
      'Messages republished to the retry queue after a transient failure',
    ),
    parked: counter('consumer_messages_parked_total', 'Messages parked in the dead-letter queue'),
    failed: counter(
      'consumer_messages_failed_total',
      'Messages given up on (parked after a permanent failure or exhausted retries)',
    ),
    completed: counter('consumer_messages_completed_total', 'Messages processed to completion'),
    duplicates: counter(
      'consumer_messages_duplicate_total',
      'Deliveries acked without work because their task was already finished (a redelivery, or an event the relay published again after its mark failed)',
    ),
    duration: new Histogram({
      name: 'consumer_processing_duration_seconds',
      help: 'Time from delivery to settlement (ack after completion, retry or parking)',
      labelNames: ['outcome'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30],
      registers: [registry],
    }),
    deferred: counter(
      'consumer_messages_deferred_total',
      'Messages sent round the retry queue because their game had deliveries waiting (no retry spent)',
    ),
    handedBack: counter(
      'consumer_messages_handed_back_total',
      'Deliveries handed back to the queue unchanged (backend unavailable, shutdown, copy not taken); on RabbitMQ 4.0-4.2 each counts toward a quorum queue delivery limit',
    ),
    circuitOpen: new Gauge({
      name: 'consumer_circuit_open',
      help: '1 while the circuit breaker is open: the backend cannot take status reports, consuming is paused',
      registers: [registry],
    }),
    circuitOpened: new Counter({
      name: 'consumer_circuit_opened_total',
      help: 'Times the circuit breaker opened, by cause (unreachable, timeout, server_error, rate_limited, unauthorized)',
      labelNames: ['cause'] as const,
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'consumer_in_flight_messages',
      help: 'Messages delivered and not yet settled',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
