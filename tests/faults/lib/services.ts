import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startBackend, type RunningBackend } from '@retro/backend';
import type { QueueNames } from '@retro/common';
import { TEST_METRICS_TOKEN, freePort, waitFor } from '@retro/common/testing';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
export const FAULT_TOKEN = 'fault-suite-token-0123456789';
/** A consumer keeps this much of its log output, enough for the lines a test looks for. */
const OUTPUT_KEPT = 1024 * 1024;

/**
 * A backend on a fixed port of its own, on a test's database and queues; `token` is what the
 * suite's own requests to it carry (`createGames`): an editor's personal token in that database
 * (`createTestAccounts`). It runs with the kit's METRICS_TOKEN, as a scraped backend does.
 */
abstract class FixedPortBackend {
  constructor(
    protected readonly database: string,
    protected readonly queues: QueueNames,
    readonly port: number,
    readonly token: string,
    /** Broker settings (RABBITMQ_URL, QUEUE_TYPE) on top of the environment. */
    protected readonly brokerEnv: Record<string, string> = {},
    /** A scenario's own settings on top of the suite's (ALERT_* thresholds, say). */
    protected readonly config: Record<string, string | number> = {},
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
}

/** The backend in this process on a fixed port, so it can be stopped and started again. */
export class RestartableBackend extends FixedPortBackend {
  private running: RunningBackend | undefined;

  async start(): Promise<void> {
    this.running = await startBackend({
      queues: this.queues,
      rateLimitPerMinute: 10_000_000,
      relayPollIntervalMs: 200,
      config: {
        ...this.brokerEnv,
        DB_NAME: this.database,
        BACKEND_PORT: this.port,
        INTERNAL_API_TOKEN: FAULT_TOKEN,
        METRICS_TOKEN: TEST_METRICS_TOKEN,
        LOG_LEVEL: 'error',
        ...this.config,
      },
    });
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    await running?.stop();
  }

  /** Its name in the alert lease row (`alert_lease.holder`) while it runs. */
  get alertHolder(): string | undefined {
    return this.running?.alerting.holder;
  }
}

/**
 * The backend as a child process on a fixed port, so it can be killed with SIGKILL like a crashed
 * container and started again on the same port and database. The database must exist, migrated.
 */
export class BackendProcess extends FixedPortBackend {
  private child: ChildProcess | undefined;

  /** Starts it and resolves once `/health` answers. */
  async start(): Promise<void> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      FAULT_QUEUES: JSON.stringify(this.queues),
      ...this.brokerEnv,
      DB_NAME: this.database,
      BACKEND_PORT: String(this.port),
      INTERNAL_API_TOKEN: FAULT_TOKEN,
      METRICS_TOKEN: TEST_METRICS_TOKEN,
      LOG_LEVEL: 'error',
    };
    for (const [key, value] of Object.entries(this.config)) env[key] = String(value);
    const child = spawn(process.execPath, ['--import', 'tsx', fixture('backend-process.ts')], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.child = child;
    await waitFor(
      'the backend process to listen',
      async () => {
        if (child.exitCode !== null) throw new Error(`backend exited with ${child.exitCode}`);
        return (await fetch(`${this.url}/health`).catch(() => null))?.ok === true;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
  }

  /** kill -9: no shutdown, connections dropped mid-request, the relay stopped wherever it was. */
  async kill(): Promise<void> {
    await this.end('SIGKILL');
  }

  /** A clean shutdown (SIGTERM), with SIGKILL after 15 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !isAlive(child)) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await this.end('SIGTERM');
    clearTimeout(timer);
  }

  /** Synchronous last resort for process exit. */
  killNow(): void {
    if (this.child && isAlive(this.child)) this.child.kill('SIGKILL');
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !isAlive(child)) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

/** One consumer child process: where its `/health` and `/metrics` are, and what it logged. */
export interface ConsumerProcess {
  child: ChildProcess;
  port: number;
  url: string;
  /** Its log lines so far (the last megabyte of them). */
  output(): string;
}

/** Consumers as child processes, so one can be killed with SIGKILL like a crashed container. */
export class ConsumerFleet {
  private readonly children = new Set<ChildProcess>();
  started = 0;
  killed = 0;

  constructor(
    private readonly queues: QueueNames,
    private readonly env: Record<string, string | number>,
  ) {}

  get alive(): ChildProcess[] {
    return [...this.children].filter(isAlive);
  }

  /**
   * Starts one, with `overrides` on top of the fleet's settings, and resolves once its /health
   * answers 200 (consuming, or holding off on a degraded backend).
   */
  async spawn(overrides: Record<string, string | number> = {}): Promise<ConsumerProcess> {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, FAULT_QUEUES: JSON.stringify(this.queues) };
    for (const [key, value] of Object.entries({ ...this.env, ...overrides })) {
      env[key] = String(value);
    }
    env.CONSUMER_PORT = String(port);
    const child = spawn(process.execPath, ['--import', 'tsx', fixture('consumer-process.ts')], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.children.add(child);
    this.started += 1;
    // the logger writes to stdout; it is read so the pipe never fills and blocks the consumer
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output = (output + chunk).slice(-OUTPUT_KEPT);
    });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      'a consumer process to subscribe',
      async () => {
        if (child.exitCode !== null) throw new Error(`consumer exited with ${child.exitCode}`);
        return (await fetch(`${url}/health`).catch(() => null))?.ok === true;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    return { child, port, url, output: () => output };
  }

  /** kill -9 the oldest consumer still alive. */
  async killOne(): Promise<void> {
    const victim = this.alive[0];
    if (!victim) throw new Error('no consumer alive to kill');
    const exited = new Promise((resolve) => victim.once('exit', resolve));
    victim.kill('SIGKILL');
    await exited;
    this.killed += 1;
  }

  /** SIGTERM to every consumer (a clean shutdown hands unacked messages back); SIGKILL after 15 s. */
  async stopAll(): Promise<void> {
    await Promise.all(
      this.alive.map(
        (child) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }

  /** kill -9 every consumer and wait until they are gone. */
  async killAll(): Promise<void> {
    await Promise.all(
      this.alive.map((child) => {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        return exited;
      }),
    );
  }

  /** Synchronous last resort for process exit: no child outlives the suite. */
  killAllNow(): void {
    for (const child of this.alive) child.kill('SIGKILL');
  }
}

function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}
