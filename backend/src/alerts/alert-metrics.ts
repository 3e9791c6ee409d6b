import client from 'prom-client';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { readQueues, type probedQueues, type QueueReading } from './queue-probe.js';

/**
 * The broker-side metrics the alert rules (and deploy/prometheus/) need: whether this backend
 * holds a broker connection, and the depth and consumers of the main queue, its retry tiers and
 * the DLQ. Read at scrape time, one passive declare per queue.
 */
export function registerBrokerMetrics(
  registry: client.Registry,
  broker: AmqpConnectionManager,
  queues: ReturnType<typeof probedQueues>,
) {
  let reading: Promise<QueueReading[] | null> | undefined;
  // one reading per scrape serves both gauges
  const read = () => {
    reading ??= readQueues(broker, queues).finally(() => {
      setTimeout(() => (reading = undefined), 100).unref();
    });
    return reading;
  };
  new client.Gauge({
    name: 'broker_connected',
    help: 'Whether this backend has a connection to RabbitMQ (1) or not (0)',
    registers: [registry],
    collect() {
      this.set(broker.isConnected() ? 1 : 0);
    },
  });
  new client.Gauge({
    name: 'broker_queue_messages',
    help: 'Messages ready in a queue of the topology (role: main, retry tier or dlq); absent while the broker is away',
    labelNames: ['queue', 'role'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of (await read()) ?? []) this.set({ queue: r.queue, role: r.role }, r.messages);
    },
  });
  new client.Gauge({
    name: 'broker_queue_consumers',
    help: 'Consumers subscribed to a queue of the topology (role: main, retry tier or dlq); absent while the broker is away',
    labelNames: ['queue', 'role'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of (await read()) ?? []) this.set({ queue: r.queue, role: r.role }, r.consumers);
    },
  });
}
