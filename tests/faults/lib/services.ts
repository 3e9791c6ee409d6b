import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startBackend, type RunningBackend } from '@retro/backend';
import type { QueueNames } from '@retro/common';
import { freePort, waitFor } from '@retro/common/testing';

const FIXTURE = fileURLToPath(new URL('../fixtures/consumer-process.ts', import.meta.url));
export const FAULT_TOKEN = 'fault-suite-token-0123456789';

/** The backend in this process on a fixed port, so it can be stopped and started again. */
export class RestartableBackend {
  private running: RunningBackend | undefined;

  constructor(
    private readonly database: string,
    private readonly queues: QueueNames,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.running = await startBackend({
      queues: this.queues,
      rateLimitPerMinute: 10_000_000,
      relayPollIntervalMs: 200,
      config: {
        DB_NAME: this.database,
        BACKEND_PORT: this.port,
        INTERNAL_API_TOKEN: FAULT_TOKEN,
        LOG_LEVEL: 'error',
      },
    });
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    await running?.stop();
  }
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
    return [...this.children].filter((c) => c.exitCode === null && c.signalCode === null);
  }

  /** Starts one and resolves once its /health says it is consuming. */
  async spawn(): Promise<ChildProcess> {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, FAULT_QUEUES: JSON.stringify(this.queues) };
    for (const [key, value] of Object.entries(this.env)) env[key] = String(value);
    env.CONSUMER_PORT = String(port);
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.children.add(child);
    this.started += 1;
    await waitFor(
      'a consumer process to subscribe',
      async () => {
        if (child.exitCode !== null) throw new Error(`consumer exited with ${child.exitCode}`);
        return (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok === true;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    return child;
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

  /** Synchronous last resort for process exit: no child outlives the suite. */
  killAllNow(): void {
    for (const child of this.alive) child.kill('SIGKILL');
  }
}
