// The built-in alerts with two backend replicas on one database, while games are created. Every
// consumer is killed: "no consumer" must be raised, then (after TASK_STALLED_AFTER_MS) "tasks
// stalled"; the replica holding the alert lease restarts, so the other one takes over; the
// consumers come back and both resolve. Then a burst of 50 poison messages raises
// "dead letters" at the default ALERT_DEAD_LETTERS, and emptying the DLQ resolves it. The webhook
// receiver refuses the first attempt of every notification, so each one is sent twice: it must get
// one raise and one resolve per rule (one key each, the retry carrying the same key and body),
// however many replicas evaluate.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AlertList, AlertNotification, AlertRule } from '@retro/common';
import { jsonApi, waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import type mysql from 'mysql2/promise';
import { createGame } from './lib/catalog.js';
import { FAULT_TOKEN, type ConsumerFleet, type RestartableBackend } from './lib/services.js';
import { FaultWorld, describeState, summarize, type Settled } from './lib/world.js';

/** Short thresholds, so the scenario lasts seconds; the dead-letter ones stay at their defaults. */
const ALERTS = {
  ALERT_EVALUATE_INTERVAL_MS: 500,
  ALERT_LEASE_MS: 2000,
  ALERT_NO_CONSUMER_AFTER_MS: 3000,
  TASK_STALLED_AFTER_MS: 8000,
};
const POISON = 50;
/** One game created every this many ms, on the replicas in turn, from start to settle. */
const CREATE_EVERY_MS = 100;

/** One POST the receiver got. */
interface Attempt {
  key: string;
  body: AlertNotification;
  /** Milliseconds since the scenario started. */
  at: number;
  accepted: boolean;
}

/** A webhook receiver that answers 500 to the first attempt of each idempotency key. */
async function startReceiver(clock: () => number) {
  const attempts: Attempt[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      const key = String(req.headers['idempotency-key']);
      const accepted = attempts.some((a) => a.key === key);
      attempts.push({ key, body: JSON.parse(text) as AlertNotification, at: clock(), accepted });
      res.writeHead(accepted ? 200 : 500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    attempts,
    /** The first accepted notification of `rule` in `state`, if any. */
    accepted: (rule: AlertRule, state: 'firing' | 'resolved') =>
      attempts.find((a) => a.accepted && a.body.rule === rule && a.body.state === state),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('when every consumer is killed and later poison arrives, with two backend replicas evaluating alerts', function () {
  this.timeout(3 * 60_000);

  const started = performance.now();
  const clock = () => Math.round(performance.now() - started);
  let world: FaultWorld;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let replicas: RestartableBackend[];
  let fleet: ConsumerFleet;
  let flowing = true;
  let flow: Promise<void> | undefined;
  let settled: Settled;
  const moments: Record<string, number> = {};
  const lists: AlertList[] = [];
  let rows: mysql.RowDataPacket[];
  let poisonTasks: ReturnType<typeof summarize>;
  /** Which replica (0 or 1) held the alert lease before and after the holder restarted. */
  const handover = { before: -1, after: -1, atEnd: -1 };
  const leaseHolder = async () => {
    const [[row]] = await world.pool.query<mysql.RowDataPacket[]>('SELECT holder FROM alert_lease');
    return row?.holder as string | null | undefined;
  };

  const waitForNotification = (rule: AlertRule, state: 'firing' | 'resolved') =>
    waitFor(`the receiver to accept ${rule} ${state}`, () => receiver.accepted(rule, state), {
      timeoutMs: 45_000,
      intervalMs: 100,
    });

  before(async function () {
    world = await FaultWorld.open('alerts');
    receiver = await startReceiver(clock);
    const config = { ...ALERTS, ALERT_WEBHOOK_URL: receiver.url };
    replicas = [
      await world.backend(config, { start: false }),
      await world.backend(config, { start: false }),
    ];
    const consumerEnv = {
      INTERNAL_API_TOKEN: FAULT_TOKEN,
      PROCESSING_DELAY_MS: 100,
      PREFETCH: 10,
      MAX_RETRIES: 3,
      LOG_LEVEL: 'error',
    };
    fleet = world.consumers(consumerEnv);
    // consumers first (one per replica): the main queue never lacks one before the fault
    const spawnFleet = () =>
      Promise.all(replicas.map((replica) => fleet.spawn({ BACKEND_URL: replica.url })));
    await spawnFleet();
    await Promise.all(replicas.map((replica) => replica.start()));

    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    flow = (async () => {
      for (let i = 0; flowing; i++) {
        await createGame(replicas[i % replicas.length]!, agent, i);
        await sleep(CREATE_EVERY_MS);
      }
    })().finally(() => agent.destroy());

    await waitFor(
      'the first 20 tasks to complete',
      async () => summarize(await world.tasks()).completed >= 20,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    moments.healthyAttempts = receiver.attempts.length;

    moments.killed = clock();
    await fleet.killAll();
    await waitForNotification('no-consumer', 'firing');
    await waitForNotification('tasks-stalled', 'firing');
    moments.stalledWhileAway = (await world.tasks()).filter(
      (t) => t.status === 'pending' || t.status === 'processing',
    ).length;

    // the replica holding the lease restarts while both alerts fire: the other one takes over
    const holder = await leaseHolder();
    const leader = replicas.find((r) => r.alertHolder === holder);
    handover.before = replicas.indexOf(leader!);
    await leader?.stop();
    await leader?.start();
    handover.after = await waitFor('a replica to hold the lease', async () => {
      const now = await leaseHolder();
      const index = replicas.findIndex((r) => r.alertHolder === now);
      return index >= 0 ? index : undefined;
    });

    moments.back = clock();
    await spawnFleet();
    moments.subscribed = clock();
    await waitForNotification('no-consumer', 'resolved');
    await waitForNotification('tasks-stalled', 'resolved');
    flowing = false;
    await flow;
    const created = (await world.tasks()).length;
    settled = await world.settle({ tasks: created, timeoutMs: 60_000 });

    moments.poisoned = clock();
    await world.publish(
      Array.from({ length: POISON }, (_, i) => ({
        messageId: `poison-${i}`,
        body: { type: 'custom', message: `poison ${i}`, simulate: 'permanent' },
      })),
    );
    await waitForNotification('dead-letters', 'firing');
    moments.drained = clock();
    moments.drainedCount = (await world.drain(world.queues.dlq)).length;
    await waitForNotification('dead-letters', 'resolved');
    // a few more evaluations and webhook rounds on both replicas: a duplicate would show now
    await sleep(3 * ALERTS.ALERT_EVALUATE_INTERVAL_MS);

    const last = await leaseHolder();
    handover.atEnd = replicas.findIndex((r) => r.alertHolder === last);
    for (const replica of replicas) {
      const call = jsonApi(replica.url, { token: world.accounts.viewer.token });
      lists.push((await call<AlertList>('/api/alerts')).body);
    }
    poisonTasks = summarize((await world.tasks()).filter((t) => t.messageId.startsWith('poison-')));
    [rows] = await world.pool.query<mysql.RowDataPacket[]>(
      'SELECT id, rule, state FROM alerts ORDER BY id',
    );
    printFigures();
  });

  after(async () => {
    flowing = false;
    await flow?.catch(() => undefined);
    await world?.close();
    await receiver?.close();
  });

  function printFigures() {
    const at = (rule: AlertRule, state: 'firing' | 'resolved') =>
      receiver.accepted(rule, state)!.at;
    const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const perKey = new Map<string, string[]>();
    for (const a of receiver.attempts) {
      perKey.set(a.key, [...(perKey.get(a.key) ?? []), a.accepted ? '200' : '500']);
    }
    console.log(
      [
        '',
        `    consumers killed at ${secs(moments.killed!)}; restarted at ${secs(moments.back!)}, subscribed at ${secs(moments.subscribed!)}; ${moments.stalledWhileAway} tasks open while they were away`,
        `    alert lease: replica ${handover.before} while both fired, replica ${handover.after} after its restart, replica ${handover.atEnd} at the end`,
        `    no-consumer raised ${secs(at('no-consumer', 'firing') - moments.killed!)} after the kill (ALERT_NO_CONSUMER_AFTER_MS ${ALERTS.ALERT_NO_CONSUMER_AFTER_MS} ms), resolved ${secs(at('no-consumer', 'resolved') - moments.subscribed!)} after they subscribed`,
        `    tasks-stalled raised ${secs(at('tasks-stalled', 'firing') - moments.killed!)} after the kill (TASK_STALLED_AFTER_MS ${ALERTS.TASK_STALLED_AFTER_MS} ms), resolved ${secs(at('tasks-stalled', 'resolved') - moments.subscribed!)} after they subscribed`,
        `    dead-letters raised ${secs(at('dead-letters', 'firing') - moments.poisoned!)} after ${POISON} poison messages; resolved ${secs(at('dead-letters', 'resolved') - moments.drained!)} after ${moments.drainedCount} were drained from the DLQ`,
        `    webhook deliveries per key (HTTP answers): ${[...perKey].map(([key, codes]) => `${key} ${codes.join(',')}`).join('; ')}`,
        `    run ${settled.outcome} ${settled.seconds} s after the flow stopped: ${describeState(settled.state)}; ${secs(clock())} in all`,
        '',
      ].join('\n'),
    );
  }

  const RULES: AlertRule[] = ['no-consumer', 'tasks-stalled', 'dead-letters'];

  it('then nothing was sent while the consumers were healthy', () => {
    expect(moments.healthyAttempts, 'webhook POSTs before the kill').to.equal(0);
  });

  it('then the database holds one alert per rule, each resolved, and no other rule was raised', () => {
    expect(rows.map((r) => [r.rule, r.state])).to.have.deep.members(
      RULES.map((rule) => [rule, 'resolved']),
    );
  });

  it('then the receiver accepted exactly one raise and one resolve per rule, the raise first', () => {
    const accepted = receiver.attempts.filter((a) => a.accepted);
    for (const rule of RULES) {
      const alert = rows.find((r) => r.rule === rule)!;
      const mine = accepted.filter((a) => a.body.rule === rule);
      expect(
        mine.map((a) => [a.key, a.body.state, a.body.id]),
        `accepted notifications of ${rule}`,
      ).to.deep.equal([
        [`alert-${alert.id}-firing`, 'firing', alert.id],
        [`alert-${alert.id}-resolved`, 'resolved', alert.id],
      ]);
    }
    expect(accepted, 'accepted notifications in all').to.have.length(RULES.length * 2);
  });

  it('then every refused notification was sent again with the same key and body, once', () => {
    const keys = [...new Set(receiver.attempts.map((a) => a.key))];
    for (const key of keys) {
      const tries = receiver.attempts.filter((a) => a.key === key);
      expect(
        tries.map((a) => a.accepted),
        `attempts of ${key}`,
      ).to.deep.equal([false, true]);
      expect(tries[1]!.body, `the retry of ${key}`).to.deep.equal(tries[0]!.body);
    }
  });

  it('then the lease moved to the other replica when its holder restarted, and stayed there', () => {
    expect(handover.before, 'the replica holding the lease while both alerts fired').to.be.oneOf([
      0, 1,
    ]);
    expect(handover, 'replicas holding the lease').to.deep.equal({
      before: handover.before,
      after: 1 - handover.before,
      atEnd: 1 - handover.before,
    });
  });

  it('then both replicas list the same resolved alerts with nothing firing', () => {
    const [first, second] = lists;
    expect(first!.firing, 'firing on the first replica').to.equal(0);
    expect(
      first!.alerts.map((a) => [a.id, a.rule, a.state]),
      'GET /api/alerts',
    ).to.have.deep.members(rows.map((r) => [Number(r.id), r.rule, r.state]));
    expect(second, 'the second replica').to.deep.equal(first);
  });

  it('then the outage lost nothing: every game event completed and the poison messages failed', () => {
    const games = settled.state.tasks.filter((t) => t.type === 'game');
    expect(summarize(games), describeState(settled.state)).to.deep.include({
      pending: 0,
      processing: 0,
      failed: 0,
    });
    expect(moments.drainedCount, 'poison messages parked in the DLQ').to.equal(POISON);
    expect(poisonTasks, 'the poison tasks').to.deep.include({ failed: POISON });
  });
});
