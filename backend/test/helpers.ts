import { type ProcessingTask } from '@retro/common';
import { expect } from 'chai';
import { type Role } from '@retro/common';
import {
  TEST_METRICS_TOKEN,
  TEST_TOKEN,
  jsonApi,
  validGame,
  waitFor,
  type ApiCall,
} from '@retro/common/testing';
import type { DbSettings } from '@retro/database';
import { openTestResources, type TestResources } from '@retro/database/testing';
import type mysql from 'mysql2/promise';
import { startBackend, type BackendOptions, type RunningBackend } from '../src/index.js';

export { TEST_TOKEN, validGame } from '@retro/common/testing';

export type { ApiResponse } from '@retro/common/testing';

/** One test file's backend on port 0, over resources of its own (database, queues, probe). */
export interface TestEnv extends Omit<TestResources, 'database' | 'release'> {
  backend: RunningBackend;
  db: DbSettings;
  /** `fetch` against the backend, JSON in and out, signed in as the env's role (editor). */
  api: ApiCall;
  /** The same, signed in as `role`. */
  as(role: Role): ApiCall;
  /** The same, signed in as nobody. */
  anonymous: ApiCall;
  /** The Prometheus text of this env's backend, or of `other`. */
  metrics(other?: RunningBackend): Promise<string>;
  cleanup(): Promise<void>;
}

/** A backend on port 0 with a database and queues of its own; `role`: who `api` signs in as. */
export async function startTestEnv(
  prefix: string,
  options: BackendOptions & { role?: Role } = {},
): Promise<TestEnv> {
  const resources = await openTestResources(prefix, { queues: options.queues });
  const { database, release, ...rest } = resources;
  const backend = await startBackend({
    ...options,
    queues: resources.queues,
    config: {
      DB_NAME: database.database,
      BACKEND_PORT: 0,
      INTERNAL_API_TOKEN: TEST_TOKEN,
      METRICS_TOKEN: TEST_METRICS_TOKEN,
      LOG_LEVEL: 'error',
      ...options.config,
    },
  });
  const as = (role: Role) => jsonApi(backend.url, { token: resources.accounts[role].token });
  return {
    ...rest,
    backend,
    db: database,
    api: as(options.role ?? 'editor'),
    as,
    anonymous: jsonApi(backend.url),
    metrics: async (other) =>
      (
        await fetch(`${(other ?? backend).url}/metrics`, {
          headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
        })
      ).text(),
    async cleanup() {
      await backend.stop();
      await release();
    },
  };
}

/**
 * A second instance on the environment's database and queues, as behind a load balancer. Resolves
 * once both instances reach the broker: a notice published before that is lost by design.
 */
export async function startSecondInstance(
  env: TestEnv,
  options: Pick<BackendOptions, 'stream'> = {},
): Promise<RunningBackend> {
  const other = await startBackend({
    ...options,
    queues: env.queues,
    config: {
      DB_NAME: env.db.database,
      BACKEND_PORT: 0,
      INTERNAL_API_TOKEN: TEST_TOKEN,
      METRICS_TOKEN: TEST_METRICS_TOKEN,
      LOG_LEVEL: 'error',
    },
  });
  for (const backend of [env.backend, other]) {
    await waitFor('the instance to reach the broker', async () =>
      (await fetch(`${backend.url}/ready`)).status === 200 ? true : undefined,
    );
  }
  return other;
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

/** Creates a game through the API (a valid body with this title and developer); its id. */
export async function createGame(env: TestEnv, title: string, developer = 'Test Soft') {
  const res = await env.api('/api/games', {
    method: 'POST',
    body: validGame({ title, developer }),
  });
  expect(res.status).to.equal(201);
  return res.body.id as number;
}

/** Creates a game through the API; returns it with the id of the event its create emitted. */
export async function createGameWithEvent(env: TestEnv, title = 'Task game') {
  const game = (await env.api('/api/games', { method: 'POST', body: validGame({ title }) })).body;
  const tasks = (await env.api(`/api/tasks?gameId=${game.id}`)).body;
  return { game, eventId: tasks[0].messageId as string };
}

/** The consumer's single status write, as `PUT /api/internal/tasks/:messageId/status`. */
export function reportStatus(
  env: TestEnv,
  messageId: string,
  body: Record<string, unknown>,
  token = TEST_TOKEN,
) {
  return env.api(`/api/internal/tasks/${messageId}/status`, { method: 'PUT', body, token });
}
