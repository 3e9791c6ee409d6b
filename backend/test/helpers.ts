import { type ProcessingTask, type QueueNames } from '@retro/common';
import { BrokerProbe, TEST_TOKEN, testQueues, waitFor } from '@retro/common/testing';
import { createTestDatabase, createPool, type DbSettings } from '@retro/database';
import type mysql from 'mysql2/promise';
import { startBackend, type BackendOptions, type RunningBackend } from '../src/index.js';

export { TEST_TOKEN, validGame } from '@retro/common/testing';

export interface TestEnv {
  backend: RunningBackend;
  db: DbSettings;
  /** A pool of the test's own, for assertions straight against the tables. */
  sql: mysql.Pool;
  queues: QueueNames;
  probe: BrokerProbe;
  /** `fetch` against the backend, JSON in and out. */
  api(
    path: string,
    init?: {
      method?: string;
      body?: unknown;
      token?: string;
      raw?: string;
      headers?: Record<string, string>;
    },
  ): Promise<ApiResponse>;
  /** The Prometheus text of this env's backend, or of `other`. */
  metrics(other?: RunningBackend): Promise<string>;
  cleanup(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A backend on port 0 with a database and queues of its own. */
export async function startTestEnv(prefix: string, options: BackendOptions = {}): Promise<TestEnv> {
  const database = await createTestDatabase(prefix);
  const queues = options.queues ?? testQueues(prefix);
  const backend = await startBackend({
    ...options,
    queues,
    config: {
      DB_NAME: database.settings.database,
      BACKEND_PORT: 0,
      INTERNAL_API_TOKEN: TEST_TOKEN,
      LOG_LEVEL: 'error',
      ...options.config,
    },
  });
  const probe = await BrokerProbe.open();
  const sql = createPool(database.settings, 4);
  const api: TestEnv['api'] = async (path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined || init.raw !== undefined)
      headers['content-type'] ??= 'application/json';
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    const res = await fetch(`${backend.url}${path}`, {
      method: init.method ?? 'GET',
      headers,
      body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body };
  };
  return {
    backend,
    db: database.settings,
    sql,
    queues,
    probe,
    api,
    metrics: async (other) => (await fetch(`${(other ?? backend).url}/metrics`)).text(),
    async cleanup() {
      await backend.stop();
      await sql.end();
      await probe.deleteQueues(queues).catch(() => undefined);
      await probe.close();
      await database.drop();
    },
  };
}

/** A live `GET /api/tasks/stream` connection that collects the task frames it receives. */
export interface TaskStream {
  contentType: string | null;
  /** The tasks sent so far, in order. */
  tasks(): ProcessingTask[];
  close(): Promise<void>;
}

export async function openTaskStream(baseUrl: string): Promise<TaskStream> {
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}/api/tasks/stream`, { signal: controller.signal });
  const reader = res.body!.getReader();
  let received = '';
  const reading = (async () => {
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      received += decoder.decode(value);
    }
  })().catch(() => undefined);
  await waitFor('the stream to open', () => received.includes(': connected'));
  return {
    contentType: res.headers.get('content-type'),
    tasks: () =>
      [...received.matchAll(/event: task\n(?:id: [^\n]+\n)?data: (.+)\n\n/g)].map(
        (m) => JSON.parse(m[1]!) as ProcessingTask,
      ),
    async close() {
      controller.abort();
      await reading;
    },
  };
}

/** Rows in a table, for "nothing changed" assertions. */
export async function count(
  sql: mysql.Pool,
  table: 'games' | 'outbox_events' | 'processing_tasks',
) {
  const [[row]] = await sql.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(row!.n);
}

/** The sum of a metric's samples (every label combination) in a Prometheus text exposition. */
export function metric(text: string, name: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
