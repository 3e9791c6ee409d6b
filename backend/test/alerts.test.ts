import http from 'node:http';
import type { AddressInfo } from 'node:net';
import amqplib from 'amqplib';
import { expect } from 'chai';
import type { Alert, AlertList, AlertNotification } from '@retro/common';
import { TEST_METRICS_TOKEN, TEST_RABBITMQ_URL, TEST_TOKEN, waitFor } from '@retro/common/testing';
import type mysql from 'mysql2/promise';
import { startBackend, type RunningBackend } from '../src/index.js';
import { startTestEnv, type TestEnv } from './helpers.js';

/** A webhook receiver that refuses the first `failFirst` attempts of every key with a 503. */
async function startReceiver(failFirst: number) {
  const attempts: { key: string; body: AlertNotification; accepted: boolean }[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const key = String(req.headers['idempotency-key']);
      const accepted = attempts.filter((a) => a.key === key).length >= failFirst;
      attempts.push({ key, body: JSON.parse(text) as AlertNotification, accepted });
      res.writeHead(accepted ? 202 : 503).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    attempts,
    accepted: () => attempts.filter((a) => a.accepted),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const alertConfig = (webhookUrl: string) => ({
  ALERT_EVALUATE_INTERVAL_MS: 200,
  ALERT_LEASE_MS: 2000,
  ALERT_NO_CONSUMER_AFTER_MS: 0,
  ALERT_WEBHOOK_URL: webhookUrl,
  ALERT_LINK_BASE_URL: 'http://catalog.example:3000',
});
const loopSettings = { tickMs: 100, webhookBackoffBaseMs: 50 };

describe('built-in alerts (real database and broker, two backend replicas)', function () {
  this.timeout(60_000);
  let env: TestEnv;
  let other: RunningBackend;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let raised: Alert;

  const alertRows = async (sql: mysql.Pool, rule: string) => {
    const [rows] = await sql.query<mysql.RowDataPacket[]>(
      'SELECT id, state FROM alerts WHERE rule = ?',
      [rule],
    );
    return rows;
  };
  const list = async (query = '') =>
    (await env.as('viewer')<AlertList>(`/api/alerts${query}`)).body;

  before(async () => {
    receiver = await startReceiver(2);
    // nothing consumes the test's own main queue: no-consumer holds from the start
    env = await startTestEnv('alerts', { config: alertConfig(receiver.url), alerts: loopSettings });
    other = await startBackend({
      queues: env.queues,
      alerts: loopSettings,
      config: {
        DB_NAME: env.db.database,
        BACKEND_PORT: 0,
        INTERNAL_API_TOKEN: TEST_TOKEN,
        METRICS_TOKEN: TEST_METRICS_TOKEN,
        LOG_LEVEL: 'error',
        ...alertConfig(receiver.url),
      },
    });
  });

  after(async () => {
    await other?.stop();
    await env?.cleanup();
    await receiver?.close();
  });

  it('when the main queue has no consumer, then no-consumer fires once across both replicas', async () => {
    const body = await waitFor('no-consumer to fire', async () => {
      const current = await list();
      return current.alerts.some((a) => a.rule === 'no-consumer') ? current : undefined;
    });
    raised = body.alerts.find((a) => a.rule === 'no-consumer')!;
    expect(raised.state).to.equal('firing');
    expect(raised.summary).to.match(/No consumer/);
    expect(body.firing).to.equal(1);
    expect(body.unattended).to.equal(1);
    // both replicas keep ticking; only the lease holder evaluates, and the rule's unique key
    // would refuse a second raise anyway
    await Promise.all([env.backend.alerting.tick(), other.alerting.tick()]);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await alertRows(env.sql, 'no-consumer')).to.have.length(1);
    // only one of the two holds the lease
    const leaders = await Promise.all([env.backend.alerting.tick(), other.alerting.tick()]);
    expect(leaders.filter(Boolean)).to.have.length(1);
  });

  it('when the broker is reachable, then its metrics say so and show the main queue without consumers', async () => {
    const text = await env.metrics();
    expect(text).to.match(/^broker_connected 1$/m);
    expect(text).to.include(`broker_queue_consumers{queue="${env.queues.main}",role="main"} 0`);
    expect(text).to.include(`broker_queue_messages{queue="${env.queues.dlq}",role="dlq"} 0`);
  });

  it('when a viewer acknowledges, then 403; when an operator does, then it is acknowledged and audited', async () => {
    const denied = await env.as('viewer')(`/api/alerts/${raised.id}/ack`, { method: 'POST' });
    expect(denied.status).to.equal(403);
    const res = await env.as('operator')<Alert>(`/api/alerts/${raised.id}/ack`, { method: 'POST' });
    expect(res.status).to.equal(200);
    expect(res.body.acknowledgedBy).to.equal(env.accounts.operator.username);
    expect((await list()).unattended).to.equal(0);
    const audit = await env.as('operator')(`/api/audit?action=alert.ack`);
    expect(audit.body).to.have.length(1);
    expect(audit.body[0]).to.include({
      actor: env.accounts.operator.username,
      target: `alert:${raised.id}`,
    });
  });

  it('when an operator snoozes, then it is snoozed until then and audited; bad minutes are a 400', async () => {
    const bad = await env.as('operator')(`/api/alerts/${raised.id}/snooze`, {
      method: 'POST',
      body: { minutes: 0 },
    });
    expect(bad.status).to.equal(400);
    const before = Date.now();
    const res = await env.as('operator')<Alert>(`/api/alerts/${raised.id}/snooze`, {
      method: 'POST',
      body: { minutes: 30 },
    });
    expect(res.status).to.equal(200);
    const until = Date.parse(res.body.snoozedUntil!);
    expect(until - before).to.be.within(29 * 60_000, 31 * 60_000);
    const audit = await env.as('operator')(`/api/audit?action=alert.snooze`);
    expect(audit.body[0].detail).to.include({ minutes: 30 });
    const unknown = await env.as('operator')(`/api/alerts/999999/ack`, { method: 'POST' });
    expect(unknown.status).to.equal(404);
  });

  it('when a consumer subscribes, then no-consumer resolves, and the webhook gets one raise and one resolve despite its refusals', async () => {
    const connection = await amqplib.connect(TEST_RABBITMQ_URL);
    try {
      const channel = await connection.createChannel();
      await channel.consume(env.queues.main, () => undefined);
      await waitFor('no-consumer to resolve', async () => {
        const current = await list();
        return current.alerts.find((a) => a.id === raised.id)?.state === 'resolved' || undefined;
      });
      const accepted = await waitFor('both notifications accepted', () =>
        receiver.accepted().length >= 2 ? receiver.accepted() : undefined,
      );
      expect(accepted.map((a) => [a.key, a.body.state])).to.deep.equal([
        [`alert-${raised.id}-firing`, 'firing'],
        [`alert-${raised.id}-resolved`, 'resolved'],
      ]);
      expect(accepted[0]!.body).to.deep.include({
        id: raised.id,
        rule: 'no-consumer',
        since: raised.since,
        link: `http://catalog.example:3000/api/alerts?since=${encodeURIComponent(raised.since)}`,
      });
      // every key was refused twice and sent again as it was, then accepted once
      for (const key of [`alert-${raised.id}-firing`, `alert-${raised.id}-resolved`]) {
        const tries = receiver.attempts.filter((a) => a.key === key);
        expect(tries.map((a) => a.accepted)).to.deep.equal([false, false, true]);
      }
      const [rows] = await env.sql.query<mysql.RowDataPacket[]>(
        'SELECT COUNT(*) AS n FROM alert_notifications WHERE delivered_at IS NULL',
      );
      expect(Number(rows[0]!.n)).to.equal(0);
    } finally {
      await connection.close();
    }
  });

  it('when an alert is resolved, then acknowledging it is a 409 that changes nothing', async () => {
    const res = await env.as('operator')(`/api/alerts/${raised.id}/ack`, { method: 'POST' });
    expect(res.status).to.equal(409);
    const audit = await env.as('operator')(`/api/audit?action=alert.ack`);
    expect(audit.body).to.have.length(1);
  });

  it('when the range ends before the alert was raised, then it is left out; a reversed range is a 400', async () => {
    const early = new Date(Date.parse(raised.since) - 60_000).toISOString();
    const body = await list(`?until=${encodeURIComponent(early)}`);
    expect(body.alerts).to.deep.equal([]);
    const reversed = await env.as('viewer')(
      `/api/alerts?since=${encodeURIComponent(raised.since)}&until=${encodeURIComponent(early)}`,
    );
    expect(reversed.status).to.equal(400);
  });

  it('when 50 messages are parked in the DLQ, then dead-letters fires at its default threshold', async () => {
    for (let i = 0; i < 50; i++) {
      await env.probe.publish(env.queues.dlq, JSON.stringify({ poison: i }), {
        headers: { 'x-error': 'poison' },
      });
    }
    const alert = await waitFor('dead-letters to fire', async () =>
      (await list()).alerts.find((a) => a.rule === 'dead-letters' && a.state === 'firing'),
    );
    expect(alert.summary).to.match(/^50 dead letter\(s\): 50 waiting in the DLQ, 0 archived/);
    expect(await alertRows(env.sql, 'dead-letters')).to.have.length(1);
  });
});
