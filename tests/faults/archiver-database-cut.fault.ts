// The dead-letter archiver (in the producer) with its database cut off for 15 s through a TCP
// proxy the test controls, while messages keep being parked. It must hold what it took without
// acking, answer its console's reads with 503 DATABASE_UNAVAILABLE and Retry-After, say so on
// /ready, and archive every parked message exactly once when the database is back.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@retro/common';
import {
  TEST_METRICS_TOKEN,
  TEST_RABBITMQ_URL,
  TEST_TOKEN,
  TcpProxy,
  waitFor,
} from '@retro/common/testing';
import { openTestResources, testDbAccount, type TestResources } from '@retro/database/testing';
import { startProducer, type RunningProducer } from '@retro/message-producer';
import amqplib from 'amqplib';
import { expect } from 'chai';
import type { RowDataPacket } from 'mysql2/promise';

const BEFORE = 50;
const DURING = 200;
const OUTAGE_MS = 15_000;

describe('when the archiver’s database is cut off for 15 s while messages are parked', function () {
  this.timeout(3 * 60_000);

  let resources: TestResources;
  let proxy: TcpProxy;
  let producer: RunningProducer;
  let readyDuring: { status: number; database?: string };
  let consoleDuring: { status: number; code?: string; retryAfter: string | null };
  let archivedDuring: number;
  let resumedInMs: number;
  let rows: { total: number; distinct: number };

  before(async function () {
    resources = await openTestResources('archiver_cut');
    const account = testDbAccount();
    proxy = new TcpProxy(account.host, account.port);
    const port = await proxy.start();
    const logger = createLogger('message-producer', 'error');
    logger.silent = !process.env.TEST_LOGS;
    producer = await startProducer({
      queues: resources.queues,
      rateLimit: false,
      logger,
      archiver: { lingerMs: 5, schemaPollMs: 200 },
      config: {
        PRODUCER_PORT: 0,
        LOG_LEVEL: 'error',
        DB_HOST: '127.0.0.1',
        DB_PORT: port,
        DB_NAME: resources.database.database,
        INTERNAL_API_TOKEN: TEST_TOKEN,
        METRICS_TOKEN: TEST_METRICS_TOKEN,
      },
    });
    await park(resources.queues.dlq, BEFORE);
    await waitFor(`${BEFORE} archived`, async () => (await archived()) === BEFORE, {
      timeoutMs: 30_000,
    });

    proxy.disconnect();
    await park(resources.queues.dlq, DURING);
    await sleep(OUTAGE_MS / 2);
    const ready = await fetch(`${producer.url}/ready`);
    readyDuring = {
      status: ready.status,
      database: ((await ready.json()) as { database?: string }).database,
    };
    const read = await fetch(`${producer.url}/api/dead-letters?limit=5`, {
      headers: { authorization: `Bearer ${resources.accounts.tester.token}` },
    });
    consoleDuring = {
      status: read.status,
      code: ((await read.json()) as { error?: { code?: string } }).error?.code,
      retryAfter: read.headers.get('retry-after'),
    };
    await sleep(OUTAGE_MS / 2);
    archivedDuring = await archived();
    const back = performance.now();
    proxy.restore();
    await waitFor(
      'every parked message archived and the DLQ empty',
      async () =>
        (await archived()) === BEFORE + DURING &&
        (await resources.probe.messageCount(resources.queues.dlq)) === 0,
      { timeoutMs: 60_000, intervalMs: 100 },
    ).catch(() => undefined);
    resumedInMs = Math.round(performance.now() - back);
    const [[row]] = await resources.sql.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS total, COUNT(DISTINCT message_id) AS n FROM dead_letters',
    );
    rows = { total: Number(row!.total), distinct: Number(row!.n) };
    console.log(
      [
        '',
        `    ${BEFORE} archived before the cut; ${DURING} parked during it; archived while cut off: ${archivedDuring}`,
        `    /ready during the outage: ${readyDuring.status} database=${readyDuring.database}; console read: ${consoleDuring.status} ${consoleDuring.code} Retry-After ${consoleDuring.retryAfter}`,
        `    database back: all ${rows.total} archived ${(resumedInMs / 1000).toFixed(1)} s later (${rows.distinct} distinct messages)`,
        '',
      ].join('\n'),
    );
  });

  after(async () => {
    await producer?.stop();
    await proxy?.stop();
    await resources?.release();
  });

  async function archived(): Promise<number> {
    const [[row]] = await resources.sql.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM dead_letters',
    );
    return Number(row!.n);
  }

  it('then it archived nothing while cut off and lost nothing', () => {
    expect(archivedDuring).to.equal(BEFORE);
  });

  it('then /ready and the console said the database was away (503, Retry-After)', () => {
    expect(readyDuring).to.deep.equal({ status: 503, database: 'down' });
    expect(consoleDuring.status).to.equal(503);
    expect(consoleDuring.code).to.equal('DATABASE_UNAVAILABLE');
    expect(Number(consoleDuring.retryAfter)).to.be.greaterThan(0);
  });

  it('then every message parked during the outage was archived exactly once once it was back', () => {
    expect(rows).to.deep.equal({ total: BEFORE + DURING, distinct: BEFORE + DURING });
  });
});

/** Parks `count` custom messages as the consumer does (failure headers), confirmed. */
async function park(queue: string, count: number): Promise<void> {
  const connection = await amqplib.connect(TEST_RABBITMQ_URL);
  try {
    const channel = await connection.createConfirmChannel();
    for (let i = 0; i < count; i++) {
      channel.sendToQueue(queue, Buffer.from(JSON.stringify({ type: 'custom', message: `${i}` })), {
        persistent: true,
        contentType: 'application/json',
        messageId: randomUUID(),
        headers: {
          'x-error': 'simulated permanent failure',
          'x-failed-at': new Date().toISOString(),
          'x-retry-count': 0,
        },
      });
    }
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}
