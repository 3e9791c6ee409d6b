// A broker resource alarm during a run: RabbitMQ blocks every connection that publishes (the
// relay's, the consumer's copies) for 10 s. The consumer takes deliveries and acks them on a
// connection that never publishes, so completions keep flowing; retry copies that cannot be
// confirmed hand their message back; the relay keeps its events in the outbox until it can
// publish. Afterwards every task is completed and nothing is left in any queue.
import { randomUUID } from 'node:crypto';
import { BrokerProbe, freePort, testQueues, validGame, waitFor } from '@retro/common/testing';
import { createPool, createTestDatabase } from '@retro/database';
import { expect } from 'chai';
import type mysql from 'mysql2/promise';
import { waitForNoOtherMocha } from './lib/broker-control.js';
import { MemoryAlarm } from './lib/memory-alarm.js';
import { ConsumerFleet, FAULT_TOKEN, RestartableBackend } from './lib/services.js';

const GAMES = 400;
const TRANSIENT = 10;
const ALARM_MS = 10_000;

describe('a broker memory alarm during a run', function () {
  this.timeout(5 * 60_000);

  const queues = testQueues('alarm');
  const alarm = new MemoryAlarm();
  let dropDatabase: () => Promise<void> = async () => undefined;
  let pool: mysql.Pool;
  let probe: BrokerProbe;
  let backend: RestartableBackend;
  let fleet: ConsumerFleet;
  const killChildren = () => fleet?.killAllNow();

  before(async function () {
    // the alarm blocks every publisher on the broker, so nothing else may run meanwhile
    await waitForNoOtherMocha(10 * 60_000);
    process.on('exit', killChildren);
    const database = await createTestDatabase('alarm');
    dropDatabase = database.drop;
    pool = createPool(database.settings, 4);
    probe = await BrokerProbe.open();
    backend = new RestartableBackend(database.settings.database, queues, await freePort());
    await backend.start();
    fleet = new ConsumerFleet(queues, {
      BACKEND_URL: backend.url,
      INTERNAL_API_TOKEN: FAULT_TOKEN,
      PREFETCH: 20,
      PROCESSING_DELAY_MS: 500,
      RETRY_DELAY_MS: 200,
      MAX_RETRIES: 3,
      LOG_LEVEL: 'error',
    });
    await fleet.spawn();
  });

  after(async function () {
    await alarm.clear();
    await fleet?.stopAll();
    process.off('exit', killChildren);
    await backend?.stop();
    await probe?.deleteQueues(queues).catch(() => undefined);
    await probe?.close();
    await pool?.end();
    await dropDatabase();
  });

  const count = async (where: string, params: unknown[] = [], table = 'processing_tasks') => {
    const [[row]] = await pool.query<mysql.RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`,
      params,
    );
    return Number(row!.n);
  };

  it('keeps acks flowing, loses nothing, and completes everything once it clears', async function () {
    // a backlog the consumer needs about 10 s for (20 at a time, 0.5 s each)
    for (let i = 0; i < GAMES; i++) await createGame(backend.url, `Alarm ${i}`);
    const transient: string[] = [];
    for (let i = 0; i < TRANSIENT; i++) {
      const messageId = `alarm-transient-${randomUUID()}`;
      const body = { type: 'custom', message: 'x', simulate: 'transient', failAttempts: 1 };
      await probe.publish(queues.main, JSON.stringify(body), {
        messageId,
        persistent: true,
        contentType: 'application/json',
      });
      transient.push(messageId);
    }
    await waitFor('the relay to publish every event', async () =>
      (await count('published_at IS NULL', [], 'outbox_events')) === 0 ? true : undefined,
    );
    await waitFor('the consumer to be busy', async () =>
      (await count("status = 'completed'")) > 0 ? true : undefined,
    );

    const before = await count("status = 'completed'");
    await alarm.raise();
    const raisedAt = Date.now();
    // writes keep being accepted: their events wait in the outbox
    const duringAlarm: number[] = [];
    for (let i = 0; i < 5; i++) duringAlarm.push(await createGame(backend.url, `During ${i}`));
    await new Promise((r) => setTimeout(r, ALARM_MS - (Date.now() - raisedAt)));
    const completedDuring = (await count("status = 'completed'")) - before;
    await alarm.clear();

    // 10 s at 20 × 2/s is up to 400; what matters is that acks were not blocked
    expect(completedDuring, 'tasks completed while publishing was blocked').to.be.at.least(50);

    await waitFor(
      'every task to complete',
      async () => ((await count("status <> 'completed'")) === 0 ? true : undefined),
      { timeoutMs: 120_000, intervalMs: 250 },
    ).catch(async (error: Error) => {
      const [rows] = await pool.query(
        'SELECT status, COUNT(*) AS n FROM processing_tasks GROUP BY status',
      );
      throw new Error(`${error.message}: ${JSON.stringify(rows)}`);
    });
    expect(await count('1 = 1')).to.equal(GAMES + TRANSIENT + duringAlarm.length);
    // each failed once, so each needed a retry copy; those made during the alarm were handed back
    expect(
      await count("message_id IN (?) AND status = 'completed' AND attempts >= 2", [transient]),
    ).to.equal(TRANSIENT);
    expect(await count('published_at IS NULL', [], 'outbox_events'), 'outbox drained').to.equal(0);
    await waitFor('the queues to drain', async () => {
      const depths = await Promise.all(
        [queues.main, queues.retry, queues.dlq].map((q) => probe.messageCount(q)),
      );
      return depths.every((d) => d === 0) ? true : undefined;
    });
    expect(await probe.messageCount(queues.dlq), 'nothing parked').to.equal(0);
    console.log(
      `    ${completedDuring} tasks completed during the ${ALARM_MS / 1000} s alarm; ` +
        `${await count('1 = 1')} tasks all completed ${((Date.now() - raisedAt) / 1000).toFixed(1)} s after it was raised; DLQ 0`,
    );
  });
});

async function createGame(url: string, title: string): Promise<number> {
  const res = await fetch(`${url}/api/games`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(validGame({ title })),
  });
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: number }).id;
}
