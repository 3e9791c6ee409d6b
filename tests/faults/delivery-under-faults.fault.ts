// npm run test:faults — not part of `npm test`: it stops the shared RabbitMQ, so it waits until
// no other mocha run is active and always starts the broker again (after hook + exit handlers).
//
// During a 2,000-event run: RabbitMQ stopped and started 3 times, a consumer killed with SIGKILL
// 3 times (a new one started each time), the backend restarted once, 1 % poison messages mixed in.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import {
  BrokerProbe,
  TEST_RABBITMQ_URL,
  createTestAccounts,
  freePort,
  testQueues,
  waitFor,
} from '@retro/common/testing';
import { createPool } from '@retro/database';
import { createTestDatabase } from '@retro/database/testing';
import amqplib from 'amqplib';
import { expect } from 'chai';
import type mysql from 'mysql2/promise';
import { BrokerControl, waitForNoOtherMocha } from './lib/broker-control.js';
import { createGame } from './lib/catalog.js';
import { ConsumerFleet, FAULT_TOKEN, RestartableBackend } from './lib/services.js';
import { TaskStreamRecorder } from './lib/task-stream.js';

const EVENTS = 2000;
const RETRY_DELAY_MS = 250;
const POISON_EVERY = 100; // 1 %
const CREATES_PER_SECOND = 40;

/** Bodies a consumer can never process; each is published raw with its own message id. */
const POISON_BODIES = [
  '{"gameId": ',
  '[1, 2, 3]',
  JSON.stringify({ eventId: 'x', gameId: -5, action: 'create', gameData: {} }),
  JSON.stringify({ gameId: 7, action: 'explode', gameData: {} }),
];

describe('delivery under broker, consumer and backend faults', function () {
  this.timeout(15 * 60_000);

  const queues = testQueues('faults');
  let dropDatabase: () => Promise<void> = async () => undefined;
  let pool: mysql.Pool;
  let probe: BrokerProbe;
  let broker: BrokerControl;
  let backend: RestartableBackend;
  let fleet: ConsumerFleet;
  let stream: TaskStreamRecorder;
  const killChildren = () => fleet?.killAllNow();

  before(async function () {
    await waitForNoOtherMocha(10 * 60_000);
    broker = new BrokerControl();
    process.on('exit', killChildren);
    const database = await createTestDatabase('faults');
    dropDatabase = database.drop;
    pool = createPool(database.settings, 4);
    const connection = await amqplib.connect(TEST_RABBITMQ_URL);
    const channel = await connection.createChannel();
    await channel.assertQueue(queues.main, { durable: true });
    await connection.close();
    probe = await BrokerProbe.open();
    // the games are created by an editor of this database
    const { editor } = await createTestAccounts(pool);
    backend = new RestartableBackend(
      database.settings.database,
      queues,
      await freePort(),
      editor.token,
    );
    await backend.start();
    fleet = new ConsumerFleet(queues, {
      BACKEND_URL: backend.url,
      INTERNAL_API_TOKEN: FAULT_TOKEN,
      PREFETCH: 20,
      PROCESSING_DELAY_MS: 10,
      RETRY_DELAY_MS,
      MAX_RETRIES: 5,
      LOG_LEVEL: 'error',
    });
    await Promise.all([fleet.spawn(), fleet.spawn()]);
    stream = new TaskStreamRecorder(backend.url);
    stream.start();
  });

  after(async function () {
    stream?.stop();
    await broker?.restore();
    await fleet?.stopAll();
    process.off('exit', killChildren);
    await backend?.stop();
    await probe?.close();
    const cleaner = await BrokerProbe.open(); // a fresh connection: the broker may have restarted
    await cleaner.deleteQueues(queues, [RETRY_DELAY_MS]).catch(() => undefined);
    await cleaner.close();
    await pool?.end();
    await dropDatabase();
  });

  it('completes every event, parks every poison message and leaves nothing behind', async function () {
    const started = performance.now();
    const faults: Array<{ fault: string; ms: number }> = [];
    const poisonIds: string[] = [];
    const completed = async () => {
      const [[row]] = await pool.query<mysql.RowDataPacket[]>(
        "SELECT COUNT(*) AS n FROM processing_tasks WHERE status = 'completed'",
      );
      return Number(row!.n);
    };
    const progress = async (more: number) => {
      const target = (await completed()) + more;
      await waitFor(`${more} more completed tasks`, async () => (await completed()) >= target, {
        timeoutMs: 120_000,
        intervalMs: 100,
      });
    };
    const timed = async (fault: string, action: () => Promise<void>) => {
      const t0 = performance.now();
      await action();
      faults.push({ fault, ms: Math.round(performance.now() - t0) });
    };

    // the load: games created through the API at a steady pace, a poison message every 100
    let created = 0;
    const poisonPublishes: Array<Promise<string>> = [];
    const load = (async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
      const paced = performance.now();
      for (let i = 0; i < EVENTS; i++) {
        await createGame(backend, agent, i);
        created += 1;
        // in the background: a poison publish waits out a broker outage, the API does not
        if ((i + 1) % POISON_EVERY === 0) poisonPublishes.push(publishPoison(queues.main, i));
        const ahead = paced + ((i + 1) * 1000) / CREATES_PER_SECOND - performance.now();
        if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
      }
      agent.destroy();
      poisonIds.push(...(await Promise.all(poisonPublishes)));
    })();

    const brokerOutage = async (n: number) => {
      await progress(100);
      await timed(`RabbitMQ stopped and started (${n})`, async () => {
        await broker.stop();
        // the API keeps accepting writes while the broker is away: they wait in the outbox
        const before = created;
        await waitFor('writes accepted during the outage', () => created >= before + 20, {
          timeoutMs: 30_000,
        });
        await broker.start();
      });
    };
    const consumerCrash = async (n: number) => {
      await progress(100);
      await timed(`consumer killed with SIGKILL and replaced (${n})`, async () => {
        await fleet.killOne();
        await fleet.spawn();
      });
    };

    await consumerCrash(1);
    await brokerOutage(1);
    await consumerCrash(2);
    await progress(100);
    await timed('backend restarted', async () => {
      await backend.stop();
      await backend.start();
    });
    await brokerOutage(2);
    await consumerCrash(3);
    await brokerOutage(3);
    await load;
    const loadSeconds = (performance.now() - started) / 1000;
    // the probe's connection did not survive the broker restarts
    await probe.close();
    probe = await BrokerProbe.open();

    // everything settles: every task finished, nothing waiting in the outbox or the queues
    const [tasks] = await pool.query<mysql.RowDataPacket[]>(
      'SELECT status, type, COUNT(*) AS n FROM processing_tasks GROUP BY status, type',
    );
    await waitFor(
      'every task to finish and the queues to empty',
      async () => {
        const [[open]] = await pool.query<mysql.RowDataPacket[]>(
          "SELECT COUNT(*) AS n FROM processing_tasks WHERE status IN ('pending', 'processing')",
        );
        const [[outbox]] = await pool.query<mysql.RowDataPacket[]>(
          'SELECT COUNT(*) AS n FROM outbox_events WHERE published_at IS NULL',
        );
        return (
          Number(open!.n) === 0 &&
          Number(outbox!.n) === 0 &&
          (await probe.messageCount(queues.main)) === 0 &&
          (await probe.retryDepth(queues, RETRY_DELAY_MS)) === 0
        );
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    const totalSeconds = (performance.now() - started) / 1000;
    await fleet.stopAll(); // unacked messages, if any, would now be back in the queue

    const [rows] = await pool.query<mysql.RowDataPacket[]>(
      'SELECT message_id, type, status, attempts FROM processing_tasks',
    );
    // poison that parses as a game event (a bad gameId or action) has a game task too, failed
    const gameTasks = rows.filter((r) => r.type === 'game' && !poisonIds.includes(r.message_id));
    const byStatus = (status: string) => rows.filter((r) => r.status === status).length;
    const parked = await probe.drain(queues.dlq);
    const parkedIds = parked.map((m) => m.properties.messageId as string);
    const [[republished]] = await pool.query<mysql.RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM outbox_events WHERE publish_attempts > 0',
    );

    console.log(
      [
        '',
        `    events created: ${created}, poison published: ${poisonIds.length}`,
        `    tasks: ${rows.length} (game ${gameTasks.length}); completed ${byStatus('completed')}, failed ${byStatus('failed')}, pending ${byStatus('pending')}, processing ${byStatus('processing')}`,
        `    game tasks that needed more than one attempt: ${gameTasks.filter((r) => r.attempts > 1).length}`,
        `    outbox rows the broker did not confirm at first: ${Number(republished!.n)}`,
        `    parked in the DLQ: ${parked.length} (${new Set(parkedIds).size} distinct)`,
        `    consumers started ${fleet.started}, killed ${fleet.killed}; task stream connections ${stream.connects}; tasks followed ${stream.sequences.size}`,
        ...faults.map((f) => `    ${f.fault}: ${f.ms} ms`),
        `    load ran ${loadSeconds.toFixed(1)} s; everything settled after ${totalSeconds.toFixed(1)} s`,
        `    tasks grouped when the load ended: ${JSON.stringify(tasks.map((t) => [t.type, t.status, Number(t.n)]))}`,
        '',
      ].join('\n'),
    );

    expect(created).to.equal(EVENTS);
    expect(gameTasks.length, 'a task per created game').to.be.at.least(EVENTS);
    expect(
      gameTasks.filter((r) => r.status !== 'completed').map((r) => r.message_id),
      'game tasks not completed',
    ).to.deep.equal([]);
    expect(new Set(parkedIds), 'the parked messages are exactly the poison').to.deep.equal(
      new Set(poisonIds),
    );
    const poisonTasks = rows.filter((r) => poisonIds.includes(r.message_id));
    expect(poisonTasks.every((r) => r.status === 'failed')).to.equal(true);
    expect(byStatus('pending') + byStatus('processing'), 'tasks stuck').to.equal(0);
    expect(stream.regressions(), 'statuses that went backwards').to.deep.equal([]);
    expect(stream.sequences.size, 'the stream saw the tasks').to.be.greaterThan(EVENTS / 2);
    expect(await probe.messageCount(queues.main)).to.equal(0);
    expect(await probe.retryDepth(queues, RETRY_DELAY_MS)).to.equal(0);
    expect(await probe.messageCount(queues.dlq)).to.equal(0);
  });
});

/** Publishes one poison message raw to the main queue, waiting out a broker outage. */
async function publishPoison(queue: string, i: number): Promise<string> {
  const messageId = `poison-${i}-${randomUUID().slice(0, 8)}`;
  const body = POISON_BODIES[((i / POISON_EVERY) % POISON_BODIES.length) | 0]!;
  await waitFor(
    `poison ${messageId} to be published`,
    async () => {
      const connection = await amqplib.connect(TEST_RABBITMQ_URL, { timeout: 2000 });
      connection.on('error', () => undefined);
      try {
        const channel = await connection.createConfirmChannel();
        channel.sendToQueue(queue, Buffer.from(body), {
          persistent: true,
          contentType: 'application/json',
          messageId,
        });
        await channel.waitForConfirms();
        return true;
      } finally {
        await connection.close().catch(() => undefined);
      }
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  return messageId;
}
