import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startBackend, type BackendConfigInput, type RunningBackend } from '@retro/backend';
import {
  assertTopology,
  type ProcessingTask,
  type QueueNames,
  retryTierQueue,
  retryTiers,
} from '@retro/common';
import {
  BrokerProbe,
  TEST_RABBITMQ_URL,
  testQueues,
  validGame,
  waitFor,
} from '@retro/common/testing';
import { createTestDatabase } from '@retro/database';
import amqplib from 'amqplib';
import {
  startConsumer,
  type ConsumerConfigInput,
  type ConsumerOptions,
  type RunningConsumer,
  type Settlement,
} from '../src/index.js';

export { validGame } from '@retro/common/testing';

export const TEST_TOKEN = 'test-internal-token-0123456789';

/** A consumer started by a test, with every settlement it emitted. */
export interface TestConsumer extends RunningConsumer {
  settlements: Settlement[];
}

/**
 * One test file's world: its own database, queues, backend and broker probe. Consumers started
 * through it are stopped by `cleanup()`.
 */
/** RETRY_DELAY_MS of the test consumers unless a test sets another. */
export const TEST_RETRY_DELAY_MS = 50;

export class ConsumerTestEnv {
  private readonly consumers: TestConsumer[] = [];
  private readonly children: ChildProcess[] = [];
  /** Base delays the consumers ran with: their retry tiers are deleted at the end. */
  private readonly retryDelays = new Set<number>([TEST_RETRY_DELAY_MS]);

  private constructor(
    readonly queues: QueueNames,
    readonly backend: RunningBackend,
    readonly probe: BrokerProbe,
    private readonly dropDatabase: () => Promise<void>,
  ) {}

  /** `backendConfig` adds to or overrides the backend's test settings. */
  static async start(
    prefix: string,
    backendConfig: BackendConfigInput = {},
  ): Promise<ConsumerTestEnv> {
    const database = await createTestDatabase(prefix);
    const queues = testQueues(prefix);
    const backend = await startBackend({
      queues,
      rateLimitPerMinute: 100_000,
      relayPollIntervalMs: 100,
      config: {
        DB_NAME: database.settings.database,
        BACKEND_PORT: 0,
        INTERNAL_API_TOKEN: TEST_TOKEN,
        LOG_LEVEL: 'error',
        ...backendConfig,
      },
    });
    await declareTopology(queues);
    const probe = await BrokerProbe.open();
    return new ConsumerTestEnv(queues, backend, probe, database.drop);
  }

  /** Settings fast enough for tests; `config` overrides them. */
  consumerConfig(config: ConsumerConfigInput = {}): ConsumerConfigInput {
    this.retryDelays.add(Number(config.RETRY_DELAY_MS ?? TEST_RETRY_DELAY_MS));
    return {
      BACKEND_URL: this.backend.url,
      INTERNAL_API_TOKEN: TEST_TOKEN,
      CONSUMER_PORT: 0,
      PROCESSING_DELAY_MS: 0,
      RETRY_DELAY_MS: TEST_RETRY_DELAY_MS,
      MAX_RETRIES: 3,
      PREFETCH: 10,
      LOG_LEVEL: 'error',
      ...config,
    };
  }

  async startConsumer(
    config: ConsumerConfigInput = {},
    options: Omit<ConsumerOptions, 'config' | 'queues'> = {},
  ): Promise<TestConsumer> {
    const running = await startConsumer({
      queues: this.queues,
      config: this.consumerConfig(config),
      shutdownGraceMs: 5000,
      probeMaxDelayMs: 500,
      ...options,
    });
    const consumer: TestConsumer = Object.assign(running, { settlements: [] as Settlement[] });
    running.events.on('settled', (s) => consumer.settlements.push(s));
    this.consumers.push(consumer);
    await waitFor('the consumer to subscribe', () => running.isConsuming());
    return consumer;
  }

  /**
   * The consumer in a child process (as in production, with signal handling), so a test can
   * SIGTERM or kill -9 it. Resolves once it has subscribed.
   */
  async spawnConsumer(
    config: ConsumerConfigInput = {},
  ): Promise<{ child: ChildProcess; port: number; exited: Promise<number | null> }> {
    const fixture = fileURLToPath(new URL('./fixtures/consumer-process.ts', import.meta.url));
    const env: NodeJS.ProcessEnv = { ...process.env, TEST_QUEUES: JSON.stringify(this.queues) };
    for (const [key, value] of Object.entries(
      this.consumerConfig({ LOG_LEVEL: 'info', ...config }),
    )) {
      env[key] = String(value);
    }
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.children.push(child);
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const port = await waitFor(
      'the child consumer to start',
      () => {
        const line = output.split('\n').find((l) => l.includes('"consumer started"'));
        return line ? (JSON.parse(line) as { port: number }).port : undefined;
      },
      { timeoutMs: 30_000 },
    );
    await waitFor('the child consumer to subscribe', async () => {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      return res.status === 200;
    });
    return { child, port, exited };
  }

  /** JSON request to the backend's public API. */
  async api<T = unknown>(path: string, init: { method?: string; body?: unknown } = {}) {
    const res = await fetch(`${this.backend.url}${path}`, {
      method: init.method ?? 'GET',
      headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: (text ? JSON.parse(text) : undefined) as T,
    };
  }

  async task(messageId: string): Promise<ProcessingTask | undefined> {
    const res = await this.api<ProcessingTask>(`/api/tasks/${encodeURIComponent(messageId)}`);
    return res.status === 200 ? res.body : undefined;
  }

  /** Waits until the task exists with `status`, and returns it. */
  waitForTask(messageId: string, status: ProcessingTask['status'], timeoutMs = 15_000) {
    return waitFor(
      `task ${messageId} to be ${status}`,
      async () => {
        const task = await this.task(messageId);
        return task?.status === status ? task : undefined;
      },
      { timeoutMs },
    );
  }

  async counts() {
    return (
      await this.api<{
        pending: number;
        processing: number;
        completed: number;
        failed: number;
        total: number;
      }>('/api/tasks/counts')
    ).body;
  }

  /** Creates a game through the API; resolves with its id and the id of the event it emitted. */
  async createGame(title = `Game ${randomUUID().slice(0, 8)}`) {
    const created = await this.api<{ id: number }>('/api/games', {
      method: 'POST',
      body: validGame({ title }),
    });
    if (created.status !== 201) throw new Error(`create failed: ${created.status}`);
    const id = created.body.id;
    return { id, eventId: await this.latestEventId(id) };
  }

  async latestEventId(gameId: number): Promise<string> {
    const tasks = await this.api<ProcessingTask[]>(`/api/tasks?gameId=${gameId}&limit=1`);
    const task = tasks.body[0];
    if (!task) throw new Error(`no task for game ${gameId}`);
    return task.messageId;
  }

  /** Publishes a custom message with its own id straight to the main queue. */
  async publishCustom(fields: Record<string, unknown> = {}, messageId = `custom-${randomUUID()}`) {
    const body = {
      type: 'custom',
      message: 'hello',
      timestamp: new Date().toISOString(),
      ...fields,
    };
    await this.probe.publish(this.queues.main, JSON.stringify(body), {
      messageId,
      persistent: true,
      contentType: 'application/json',
    });
    return messageId;
  }

  /** The retry tier queues of the test consumers' base delay, shortest first. */
  get retryQueues(): string[] {
    return retryTiers(TEST_RETRY_DELAY_MS).map((tier) => retryTierQueue(this.queues.main, tier));
  }

  /** Copies waiting in any retry tier of the test consumers' base delay. */
  retryDepth(): Promise<number> {
    return this.probe.retryDepth(this.queues, TEST_RETRY_DELAY_MS);
  }

  async cleanup(): Promise<void> {
    for (const child of this.children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const consumer of this.consumers) await consumer.stop();
    await this.backend.stop();
    await this.probe.deleteQueues(this.queues, [...this.retryDelays]).catch(() => undefined);
    await this.probe.close();
    await this.dropDatabase();
  }
}

/**
 * Declares the test's queues up front, so probing them never races the first service to connect
 * (checking a queue that does not exist yet closes the probe's channel).
 */
async function declareTopology(queues: QueueNames): Promise<void> {
  const connection = await amqplib.connect(TEST_RABBITMQ_URL);
  try {
    const retryTiersMs = retryTiers(TEST_RETRY_DELAY_MS);
    await assertTopology(await connection.createChannel(), queues, { retryTiers: retryTiersMs });
  } finally {
    await connection.close();
  }
}

/**
 * An HTTP hop between the consumer and the backend that records every status write and can
 * answer some of them with a 5xx itself, to play a failing backend without touching the real one.
 * A batch request is recorded as one entry per write; it fails as a whole when any of its writes
 * is to fail, as the backend's answer covers the whole batch.
 */
export class RecordingBackendProxy {
  readonly requests: Array<{ at: number; messageId: string; body: Record<string, unknown> }> = [];
  /** Return a status to answer with instead of forwarding (e.g. 503), or undefined to forward. */
  failWith: (body: Record<string, unknown>) => number | undefined = () => undefined;
  /** Answer 401 to every internal write, as a backend with another token would. */
  refuseToken = false;
  private server: Server | undefined;

  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks).toString();
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const at = performance.now();
      const writes = Array.isArray(body.updates)
        ? (body.updates as Record<string, unknown>[]).map(({ messageId, ...update }) => ({
            at,
            messageId: String(messageId),
            body: update,
          }))
        : [{ at, messageId: decodeURIComponent(req.url!.split('/')[4] ?? ''), body }];
      this.requests.push(...writes);
      const status =
        this.refuseToken && req.method === 'PUT'
          ? 401
          : writes.map((w) => this.failWith(w.body)).find((s) => s !== undefined);
      if (status !== undefined) {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: { code: 'SERVICE_UNAVAILABLE', message: 'injected', details: [] },
          }),
        );
        return;
      }
      const upstream = await fetch(`${this.target}${req.url}`, {
        method: req.method,
        headers: {
          'content-type': 'application/json',
          authorization: req.headers.authorization ?? '',
        },
        body: raw || undefined,
      });
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(await upstream.text());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}

/**
 * Waits until `consumer` has settled `messageId` with `outcome` and returns that message's
 * settlements so far. A task's status changes at the backend a moment before the consumer acks
 * and emits, so assertions on settlements wait for this rather than for the task.
 */
export function settledAs(
  consumer: TestConsumer,
  messageId: string,
  outcome: Settlement['outcome'],
  timeoutMs = 15_000,
): Promise<Settlement[]> {
  return waitFor(
    `${messageId} to settle as ${outcome}`,
    () => {
      const mine = consumer.settlements.filter((s) => s.messageId === messageId);
      return mine.some((s) => s.outcome === outcome) ? mine : undefined;
    },
    { timeoutMs },
  );
}

/** Reads a numeric sample from a Prometheus text exposition. */
export function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}
