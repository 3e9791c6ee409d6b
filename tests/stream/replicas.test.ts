// Two backend instances on one database, as behind a load balancer: the consumer reports to the
// first, games are created through both, and a viewer on each instance must see every task
// finish. A third viewer loses its connection mid-run and resumes with Last-Event-ID.
import { startBackend, type RunningBackend } from '@retro/backend';
import { assertTopology, type ProcessingTask } from '@retro/common';
import {
  BrokerProbe,
  TaskStreamClient,
  TEST_RABBITMQ_URL,
  createTestAccounts,
  testQueues,
  validGame,
  waitFor,
} from '@retro/common/testing';
import { createPool } from '@retro/database';
import { createTestDatabase } from '@retro/database/testing';
import { startConsumer, type RunningConsumer } from '@retro/message-consumer';
import amqplib from 'amqplib';
import { expect } from 'chai';
import type mysql from 'mysql2/promise';

const TOKEN = 'replicas-token-0123456789';
/** Games created at full speed; each makes three task changes (pending, processing, completed). */
const GAMES = Number(process.env.STREAM_TEST_GAMES ?? 3000);
const CONCURRENCY = 32;

describe('live task stream on two backend instances sharing one database', function () {
  this.timeout(300_000);
  const queues = testQueues('replicas');
  const exchange = `${queues.main}.changes`;
  let drop: () => Promise<void>;
  let sql: mysql.Pool;
  let probe: BrokerProbe;
  const backends: RunningBackend[] = [];
  let consumer: RunningConsumer;
  /** Games are created by an editor; the streams and lists are read anonymously (viewer). */
  let editorToken: string;

  before(async () => {
    const database = await createTestDatabase('replicas');
    drop = database.drop;
    sql = createPool(database.settings, 2);
    editorToken = (await createTestAccounts(sql)).editor.token;
    const connection = await amqplib.connect(TEST_RABBITMQ_URL);
    await assertTopology(await connection.createChannel(), queues);
    await connection.close();
    probe = await BrokerProbe.open();
    for (let i = 0; i < 2; i += 1) {
      backends.push(
        await startBackend({
          queues,
          taskChangesExchange: exchange,
          rateLimitPerMinute: 100_000_000,
          relayPollIntervalMs: 100,
          config: {
            DB_NAME: database.settings.database,
            BACKEND_PORT: 0,
            INTERNAL_API_TOKEN: TOKEN,
            LOG_LEVEL: 'error',
          },
        }),
      );
    }
    consumer = await startConsumer({
      queues,
      config: {
        BACKEND_URL: backends[0]!.url,
        INTERNAL_API_TOKEN: TOKEN,
        CONSUMER_PORT: 0,
        PROCESSING_DELAY_MS: 0,
        PREFETCH: 20,
        LOG_LEVEL: 'error',
      },
      shutdownGraceMs: 5000,
    });
  });

  after(async () => {
    await consumer?.stop();
    for (const backend of backends) await backend.stop();
    await probe?.deleteQueues(queues).catch(() => undefined);
    await probe?.deleteExchange(exchange).catch(() => undefined);
    await probe?.close();
    await sql?.end();
    await drop?.();
  });

  /** A viewer that re-reads the task list when told it is out of date, as the processing page does. */
  function viewer(backend: RunningBackend, reconnect = false): TaskStreamClient {
    const client: TaskStreamClient = new TaskStreamClient(backend.url, {
      reconnect,
      onReload: () => void readList(backend, client),
    });
    return client;
  }

  it(`when ${GAMES} games are created at full speed through both, then every task completes on the stream of each instance`, async () => {
    const viewers = [viewer(backends[0]!), viewer(backends[1]!)];
    const resumer = viewer(backends[1]!, true);
    for (const v of [...viewers, resumer]) expect(await v.open()).to.equal(200);
    const started = performance.now();

    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < GAMES) {
          const n = next++;
          // a network blip halfway: the viewer reconnects by itself and resumes where it was
          if (n === Math.floor(GAMES / 2)) resumer.cut();
          const res = await fetch(`${backends[n % 2]!.url}/api/games`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${editorToken}`,
            },
            body: JSON.stringify(validGame({ title: `Replica ${n}` })),
          });
          if (res.status !== 201) throw new Error(`create ${n} answered ${res.status}`);
          await res.arrayBuffer();
        }
      }),
    );
    const createdAfter = (performance.now() - started) / 1000;
    await waitFor(
      `all ${GAMES} tasks completed in the database`,
      async () => (await completedInDb()) === GAMES,
      { timeoutMs: 240_000, intervalMs: 250 },
    );
    const doneAfter = (performance.now() - started) / 1000;
    try {
      await waitFor(
        'every viewer to show every task completed',
        () => [...viewers, resumer].every((v) => v.count('completed') === GAMES),
        { timeoutMs: 30_000, intervalMs: 100 },
      );
    } finally {
      const seen = [...viewers, resumer].map((v) => ({
        tasks: v.latest.size,
        completed: v.count('completed'),
        frames: v.frames,
        connects: v.connects,
        reloads: v.reloads,
        regressions: v.regressions.length,
      }));
      console.log(
        `      ${GAMES} games: created in ${createdAfter.toFixed(1)} s, all completed after ` +
          `${doneAfter.toFixed(1)} s; seen per stream (A, B, B resumed): ${JSON.stringify(seen)}`,
      );
    }
    for (const v of [...viewers, resumer]) {
      expect(v.regressions, 'no task went backwards').to.deep.equal([]);
      v.close();
    }
    expect(resumer.connects, 'the cut viewer reconnected').to.equal(2);
    expect(resumer.reloads, 'it resumed instead of reloading').to.equal(0);
  });

  it('when a viewer comes back with a position from before the run, then it is sent the last state of every task', async () => {
    const late = new TaskStreamClient(backends[1]!.url);
    late.lastEventId = `${Date.parse('2020-01-01T00:00:00Z')}-x`;
    expect(await late.open()).to.equal(200);
    await waitFor('every task completed', () => late.count('completed') === GAMES);
    // one row per task holds its last state: that is what a resume sends, not every change
    expect(late.frames).to.equal(GAMES);
    expect(late.reloads).to.equal(0);
    late.close();
  });

  async function completedInDb(): Promise<number> {
    const [[row]] = await sql.query<mysql.RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM processing_tasks WHERE status = 'completed'",
    );
    return Number(row!.n);
  }
});

/** Reads every task through the API into the viewer, as a page does on `event: reload`. */
async function readList(backend: RunningBackend, client: TaskStreamClient): Promise<void> {
  for (let offset = 0; ; offset += 200) {
    const res = await fetch(`${backend.url}/api/tasks?limit=200&offset=${offset}`);
    const page = (await res.json()) as ProcessingTask[];
    for (const task of page) client.apply(task, true);
    if (page.length < 200) return;
  }
}
