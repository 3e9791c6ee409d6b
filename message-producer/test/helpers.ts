import { createServer } from 'node:http';
import { type QueueNames, createLogger, listen } from '@retro/common';
import { expect } from 'chai';
import { BrokerProbe, testQueues, waitFor } from '@retro/common/testing';
import { type DbSettings, createPool, createTestDatabase } from '@retro/database';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { type ProducerOptions, type RunningProducer, startProducer } from '../src/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field
type Answer = any;

export interface Harness {
  producer: RunningProducer;
  probe: BrokerProbe;
  queues: QueueNames;
  /** The test's own database (migrated: the archive's tables exist) and a pool on it. */
  database: DbSettings;
  db: Pool;
  /** POSTs JSON (or a raw string body) and returns status and parsed answer. */
  post(path: string, body: unknown): Promise<{ status: number; body: Answer }>;
  get(path: string): Promise<{ status: number; body: Answer }>;
  /** Any method, with response headers; `headers` are sent as given. */
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Answer; headers: Headers }>;
  /** Resolves once the archive holds `n` rows (and the DLQ is empty). */
  archived(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A producer on port 0 with its own queues and its own migrated database, and a probe to look
 * into the queues.
 */
export async function startHarness(
  prefix: string,
  options: ProducerOptions = {},
  { waitForBroker = true } = {},
): Promise<Harness> {
  const queues = options.queues ?? testQueues(prefix);
  const database = await createTestDatabase(prefix);
  const db = createPool(database.settings, 4);
  const logger = createLogger('message-producer', 'warn');
  logger.silent = !process.env.TEST_LOGS; // 503s are expected here; TEST_LOGS=1 shows them
  const producer = await startProducer({
    queues,
    rateLimit: false,
    logger,
    ...options,
    archiver: { lingerMs: 5, schemaPollMs: 200, ...options.archiver },
    config: {
      PRODUCER_PORT: 0,
      LOG_LEVEL: 'error',
      DB_NAME: database.settings.database,
      ...options.config,
    },
  });
  const probe = await BrokerProbe.open();
  const request = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(producer.url + path, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed =
      text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
    return { status: res.status, body: parsed || undefined, headers: res.headers };
  };
  const archived = async (n: number, timeoutMs = 30_000) => {
    await waitFor(
      `${n} archived messages`,
      async () => {
        const [[row]] = await db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM dead_letters');
        return Number(row?.n) === n && (await probe.messageCount(queues.dlq)) === 0;
      },
      { timeoutMs, intervalMs: 100 },
    );
  };
  if (waitForBroker) {
    await waitFor(
      'the producer to reach the broker',
      async () => (await request('GET', '/ready')).status === 200,
    );
    // reading the stats declares the queues, so a test may put messages into them directly
    expect((await request('GET', '/api/queues')).status).to.equal(200);
  }
  return {
    producer,
    probe,
    queues,
    database: database.settings,
    db,
    post: (path, body) => request('POST', path, body),
    get: (path) => request('GET', path),
    request,
    archived,
    async close() {
      await producer.stop();
      await probe.deleteQueues(queues).catch(() => undefined);
      await probe.close();
      await db.end();
      await database.drop();
    },
  };
}

export interface TaskLookupStub {
  url: string;
  /** Paths asked for, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Stands in for the backend's task lookup (`GET /api/tasks/:id`): answers every request with the
 * status `answer` gives (404 = no such task), or never answers at all for `'hang'`.
 */
export async function startTaskLookupStub(
  answer: () => number | 'hang' = () => 404,
): Promise<TaskLookupStub> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const status = answer();
    if (status !== 'hang') res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
  });
  const port = await listen(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections(); // a hanging request would hold the server open
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Empties the archive (rows, groups, audit trail) between tests that share a harness. */
export async function clearArchive(db: Pool): Promise<void> {
  for (const table of [
    'dead_letters',
    'dead_letter_groups',
    'dead_letter_audit',
    'dead_letter_audit_items',
  ]) {
    await db.query(`DELETE FROM ${table}`);
  }
}
