import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startBackend, type BackendConfigInput, type RunningBackend } from '@retro/backend';
import {
  HEADERS,
  type ProcessingTask,
  type QueueNames,
  retryTierQueue,
  retryTiers,
} from '@retro/common';
import type { BrokerProbe, TestAccounts } from '@retro/common/testing';
import {
  TEST_METRICS_TOKEN,
  TEST_TOKEN,
  jsonApi,
  validGame,
  waitFor,
  type ApiCall,
} from '@retro/common/testing';
import { openTestResources, type TestResources } from '@retro/database/testing';
import {
  startConsumer,
  type ConsumerConfigInput,
  type ConsumerOptions,
  type RunningConsumer,
  type Settlement,
} from '../src/index.js';

export { TEST_TOKEN, validGame } from '@retro/common/testing';
export { RecordingBackendProxy } from './recording-backend-proxy.js';

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
  private constructor(
    private readonly resources: TestResources,
    readonly backend: RunningBackend,
  ) {}

  get queues(): QueueNames {
    return this.resources.queues;
  }

  get probe(): BrokerProbe {
    return this.resources.probe;
  }

  /** One account per role in the env's database (`api` signs in as the editor). */
  get accounts(): TestAccounts {
    return this.resources.accounts;
  }

  /** JSON request to the backend's public API, signed in as an editor (games, task retry). */
  readonly api: ApiCall = (path, init) =>
    jsonApi(this.backend.url, { token: this.accounts.editor.token })(path, init);

  /** `backendConfig` adds to or overrides the backend's test settings. */
  static async start(
    prefix: string,
    backendConfig: BackendConfigInput = {},
  ): Promise<ConsumerTestEnv> {
    const resources = await openTestResources(prefix, { retryDelaysMs: [TEST_RETRY_DELAY_MS] });
    const backend = await startBackend({
      queues: resources.queues,
      rateLimitPerMinute: 100_000,
      relayPollIntervalMs: 100,
      config: {
        DB_NAME: resources.database.database,
        BACKEND_PORT: 0,
        INTERNAL_API_TOKEN: TEST_TOKEN,
        METRICS_TOKEN: TEST_METRICS_TOKEN,
        LOG_LEVEL: 'error',
        ...backendConfig,
      },
    });
    return new ConsumerTestEnv(resources, backend);
  }

  /** Settings fast enough for tests; `config` overrides them. */
  consumerConfig(config: ConsumerConfigInput = {}): ConsumerConfigInput {
    this.resources.retryDelaysMs.add(Number(config.RETRY_DELAY_MS ?? TEST_RETRY_DELAY_MS));
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
      token: this.resources.accounts.editor.token, // creating games is an editor's
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

  /**
   * Takes the parked copy of `messageId` off the DLQ and replays it as the producer's console
   * does (`x-replayed-at`), with `changes` made to its body (the tester fixed the cause).
   */
  async replayParked(messageId: string, changes: Record<string, unknown>) {
    const [parked] = await waitFor('the parked copy', async () => {
      const msgs = await this.probe.drain(this.queues.dlq, 1);
      return msgs.length ? msgs : undefined;
    });
    const fixed = { ...JSON.parse(parked!.content.toString()), ...changes };
    await this.probe.publish(this.queues.main, JSON.stringify(fixed), {
      messageId,
      headers: { [HEADERS.replayedAt]: new Date().toISOString() },
    });
  }

  async cleanup(): Promise<void> {
    for (const child of this.children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const consumer of this.consumers) await consumer.stop();
    await this.backend.stop();
    await this.resources.release();
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
