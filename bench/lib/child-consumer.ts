import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { QueueNames } from '@retro/common';
import { freePort } from '@retro/common/testing';
import type { ConsumerConfigInput } from '@retro/message-consumer';
import { until } from './load.js';

const FIXTURES = {
  /** The TypeScript sources through tsx, like the tests. */
  source: fileURLToPath(new URL('../fixtures/consumer-process.ts', import.meta.url)),
  /** The build output with plain node, as `npm start` and the container run it. */
  dist: fileURLToPath(new URL('../fixtures/consumer-process.mjs', import.meta.url)),
};

export interface ChildConsumer {
  child: ChildProcess;
  pid: number;
  /** Port of its /health and /metrics. */
  port: number;
  stop(): Promise<void>;
}

/** Starts the consumer in a child process and resolves once its /health says it consumes. */
export async function spawnConsumer(
  queues: QueueNames,
  config: ConsumerConfigInput,
  runtime: keyof typeof FIXTURES = 'source',
): Promise<ChildConsumer> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_QUEUES: JSON.stringify(queues) };
  for (const [key, value] of Object.entries({ LOG_LEVEL: 'warn', ...config })) {
    env[key] = String(value);
  }
  env.CONSUMER_PORT = String(port);
  const args = runtime === 'source' ? ['--import', 'tsx', FIXTURES.source] : [FIXTURES.dist];
  const child = spawn(process.execPath, args, {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await until(
    'the consumer process to subscribe',
    async () => {
      if (child.exitCode !== null) throw new Error(`consumer exited with ${child.exitCode}`);
      return (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok === true;
    },
    { timeoutMs: 30_000 },
  );
  return {
    child,
    pid: child.pid!,
    port,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
