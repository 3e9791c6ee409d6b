import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { type QueueNames, assertTopology } from '@retro/common';
import { BrokerProbe, TEST_RABBITMQ_URL, testQueues, waitFor } from '@retro/common/testing';
import { createPool } from '@retro/database';
import { createTestDatabase } from '@retro/database/testing';
import amqplib from 'amqplib';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { park, poisonMessages } from './parking.js';

const fixture = fileURLToPath(new URL('./fixtures/archiver-process.ts', import.meta.url));
const MESSAGES = 3000;

describe('message producer: the archiver killed mid-way', function () {
  this.timeout(180_000);
  // no producer here: only the archivers in their child processes take from this DLQ
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Pool;
  let probe: BrokerProbe;
  const queues: QueueNames = testQueues('producer_archiver_crash');
  const children: ChildProcess[] = [];

  before(async () => {
    database = await createTestDatabase('producer_archiver_crash');
    db = createPool(database.settings, 2);
    probe = await BrokerProbe.open();
    const connection = await amqplib.connect(TEST_RABBITMQ_URL);
    await assertTopology(await connection.createChannel(), queues);
    await connection.close();
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await probe?.deleteQueues(queues).catch(() => undefined);
    await probe?.close();
    await db?.end();
    await database?.drop();
  });

  /** The archiver in a child process; `stored` counts the rows its commits reported. */
  function spawnArchiver(env: Record<string, string> = {}) {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      env: {
        ...process.env,
        TEST_QUEUES: JSON.stringify(queues),
        DB_NAME: database.settings.database,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const progress = { batches: 0, stored: 0, duplicates: 0 };
    child.stdout!.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const event = JSON.parse(line) as { batch?: number; stored?: number; duplicates?: number };
        if (event.batch) progress.batches = event.batch;
        progress.stored += event.stored ?? 0;
        progress.duplicates += event.duplicates ?? 0;
      }
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    return { child, progress, exited };
  }

  const rows = async () => {
    const [[row]] = await db.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS n, COUNT(DISTINCT archive_key) AS keys_, COUNT(DISTINCT message_id) AS ids FROM dead_letters',
    );
    return { rows: Number(row!.n), keys: Number(row!.keys_), ids: Number(row!.ids) };
  };

  it('when it dies between a commit and its acks, and again at a random moment, then every message is archived exactly once', async () => {
    const specs = poisonMessages(MESSAGES);
    await park(queues.dlq, specs);

    // 1. killed right after its fifth commit, before it acked that batch
    const first = spawnArchiver({ CRASH_AFTER_BATCHES: '5' });
    expect(await first.exited).to.equal('SIGKILL');
    const afterFirst = await rows();

    // 2. killed from outside while it is busy, wherever it happens to be
    const second = spawnArchiver();
    await waitFor('the second archiver to store some', () => second.progress.stored >= 600, {
      timeoutMs: 60_000,
    });
    second.child.kill('SIGKILL');
    await second.exited;
    const afterSecond = await rows();

    // 3. a third one finishes the job
    const third = spawnArchiver();
    await waitFor(
      'every message archived',
      async () => (await rows()).rows === MESSAGES && (await probe.messageCount(queues.dlq)) === 0,
      { timeoutMs: 90_000, intervalMs: 200 },
    );
    third.child.kill('SIGTERM');
    await third.exited;

    const final = await rows();
    expect(first.progress.batches).to.equal(5);
    expect(afterFirst.rows).to.equal(first.progress.stored); // its five commits, all of them
    // the fifth batch was stored but not acked: redelivered, recognised, not stored again
    expect(second.progress.duplicates).to.be.at.least(1);
    expect(afterSecond.rows).to.be.within(afterFirst.rows + 600, MESSAGES);
    expect(final).to.deep.equal({ rows: MESSAGES, keys: MESSAGES, ids: MESSAGES });
    const [[groups]] = await db.query<RowDataPacket[]>(
      'SELECT SUM(message_count) AS n FROM dead_letter_groups',
    );
    expect(Number(groups!.n)).to.equal(MESSAGES);
    expect(await probe.messageCount(queues.dlq)).to.equal(0);
    console.log(
      `      ${MESSAGES} parked; rows after the kill between commit and ack: ${afterFirst.rows}, ` +
        `redeliveries recognised: ${second.progress.duplicates + third.progress.duplicates}, ` +
        `after the random kill: ${afterSecond.rows}, at the end: ${final.rows} rows, ` +
        `${final.keys} distinct keys, ${final.ids} distinct message ids`,
    );
  });
});
