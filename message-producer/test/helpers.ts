import { createServer } from 'node:http';
import { type QueueNames, type Role, SESSION_COOKIE, createLogger, listen } from '@retro/common';
import { expect } from 'chai';
import {
  type ApiCall,
  type BrokerProbe,
  TEST_METRICS_TOKEN,
  TEST_TOKEN,
  type TestAccounts,
  jsonApi,
  signInSession,
  waitFor,
} from '@retro/common/testing';
import type { DbSettings } from '@retro/database';
import { openTestResources } from '@retro/database/testing';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import { type ProducerOptions, type RunningProducer, startProducer } from '../src/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field
type Answer = any;

export interface ProducerTestEnv {
  producer: RunningProducer;
  probe: BrokerProbe;
  queues: QueueNames;
  /** The test's own database (migrated: the archive's tables exist) and a pool on it. */
  database: DbSettings;
  db: Pool;
  /** One account per role (`test-viewer` … `test-operator`), each with a token. */
  accounts: TestAccounts;
  /** The JSON client, signed in as the env's role (operator unless the test chose another). */
  api: ApiCall;
  /** The same, signed in as `role`. */
  as(role: Role): ApiCall;
  /** The same, signed in as nobody. */
  anonymous: ApiCall;
  /** Headers that sign a plain `fetch` in as the env's role. */
  auth: Record<string, string>;
  /** The Prometheus text, read as a scraper does (METRICS_TOKEN). */
  metrics(): Promise<string>;
  /** A browser context signed in (session cookie) as `role`, the env's by default. */
  browserSession(
    browser: Browser,
    role?: Role,
    options?: BrowserContextOptions,
  ): Promise<BrowserContext>;
  /** POSTs JSON (or a raw string body), signed in as the env's role; status and parsed answer. */
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
  cleanup(): Promise<void>;
}

/**
 * A producer on port 0 with its own queues and its own migrated database, and a probe to look
 * into the queues. `role`: who `api`, `post`, `get` and `request` sign in as (default operator:
 * the console's tests do everything an operator may).
 */
export async function startProducerTestEnv(
  prefix: string,
  options: ProducerOptions = {},
  { waitForBroker = true, role = 'operator' as Role } = {},
): Promise<ProducerTestEnv> {
  const resources = await openTestResources(prefix, { queues: options.queues });
  const { queues, probe, sql: db, database, accounts } = resources;
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
      DB_NAME: database.database,
      INTERNAL_API_TOKEN: TEST_TOKEN,
      METRICS_TOKEN: TEST_METRICS_TOKEN,
      // the archive's housekeeping runs when a test says so (runOnce): the fixtures park messages
      // dated 2024, past DEAD_LETTER_RETENTION_MS, which a timed run would remove mid-test
      HOUSEKEEPING_INTERVAL_MS: 86_400_000,
      ...options.config,
    },
  });
  const as = (who: Role) => jsonApi(producer.url, { token: accounts[who].token });
  const api = as(role);
  const request = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const raw = typeof body === 'string' ? body : undefined;
    const res = await api(path, { method, headers, raw, body: raw ? undefined : body });
    return { ...res, body: res.body || undefined };
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
    database,
    db,
    accounts,
    api,
    as,
    anonymous: jsonApi(producer.url),
    auth: { authorization: `Bearer ${accounts[role].token}` },
    metrics: async () =>
      (
        await fetch(`${producer.url}/metrics`, {
          headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
        })
      ).text(),
    async browserSession(browser, who = role, contextOptions = {}) {
      const session = await signInSession(producer.url, accounts[who]);
      const context = await browser.newContext(contextOptions);
      await context.addCookies([{ name: SESSION_COOKIE, value: session, url: producer.url }]);
      return context;
    },
    post: (path, body) => request('POST', path, body),
    get: (path) => request('GET', path),
    request,
    archived,
    async cleanup() {
      await producer.stop();
      await resources.release();
    },
  };
}

export interface TaskLookupStub {
  url: string;
  /** Paths asked for, in order. */
  requests: string[];
  /** The `Authorization` header of each request, in order. */
  authorizations: (string | undefined)[];
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
  const authorizations: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    authorizations.push(req.headers.authorization);
    const status = answer();
    if (status !== 'hang') res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
  });
  const port = await listen(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    authorizations,
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
