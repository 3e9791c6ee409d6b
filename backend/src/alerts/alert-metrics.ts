import client from 'prom-client';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { ALERT_RULES } from '@retro/common';
import type { Pool, Row } from '../data-access/db.js';
import { readQueues, type probedQueues, type QueueReading } from './queue-probe.js';

/**
 * The metrics the alert rules of deploy/prometheus/ need besides the existing ones: whether this
 * backend reaches the database and the broker, the depth and consumers of the main queue, its
 * retry tiers and the DLQ (one passive declare per queue, at scrape time), and the built-in
 * alerts firing.
 */
export function registerAlertMetrics(
  registry: client.Registry,
  pool: Pool,
  broker: AmqpConnectionManager,
  queues: ReturnType<typeof probedQueues>,
) {
  new client.Gauge({
    name: 'database_up',
    help: 'Whether this backend can query its database (1) or not (0)',
    registers: [registry],
    async collect() {
      const ok = await pool.query('SELECT 1').then(
        () => 1,
        () => 0,
      );
      this.set(ok);
    },
  });
  new client.Gauge({
    name: 'alerts_firing',
    help: 'Built-in alerts firing now, by rule (GET /api/alerts); absent while the database is away',
    labelNames: ['rule'] as const,
    registers: [registry],
    async collect() {
      const [rows] = await pool
        .query<Row[]>(`SELECT rule, COUNT(*) AS n FROM alerts WHERE state = 'firing' GROUP BY rule`)
        .catch(() => [null]);
      this.reset();
      if (!rows) return;
      for (const rule of ALERT_RULES) {
        this.set({ rule }, Number(rows.find((r) => r.rule === rule)?.n ?? 0));
      }
    },
  });
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
