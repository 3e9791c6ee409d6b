import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema } from '@retro/common';
import { until } from './load.js';
import { BENCH_TOKEN, type World } from './world.js';

const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** Where the database and the broker are: taken from the environment running the bench. */
const CONNECTION_KEYS = new Set(['DB_HOST', 'DB_PORT', 'DB_USER', 'DB_PASSWORD', 'RABBITMQ_URL']);

const FIXTURES = {
  backend: fileURLToPath(new URL('../fixtures/backend-process.mjs', import.meta.url)),
  consumer: fileURLToPath(new URL('../fixtures/consumer-process.mjs', import.meta.url)),
};

/** The node options of each service's `start` script (`node <options> dist/main.js`): as deployed. */
const NODE_OPTIONS_OF = {
  backend: startScriptNodeOptions('backend'),
  consumer: startScriptNodeOptions('message-consumer'),
};

function startScriptNodeOptions(workspace: string): string[] {
  const manifest = createRequire(import.meta.url)(`../../${workspace}/package.json`) as {
    scripts: { start: string };
  };
  const words = manifest.scripts.start.split(/\s+/);
  return words.slice(1, -1).filter((w) => w.startsWith('--'));
}

export interface ServiceProcess {
  name: keyof typeof FIXTURES;
  pid: number;
  /** Its HTTP port (the API for the backend, /health and /metrics for the consumer). */
  port: number;
  url: string;
  child: ChildProcess;
  /** SIGTERM, as `npm start` stops it; resolves when it has exited. */
  stop(): Promise<void>;
}

export interface DeployedOptions {
  /** Settings on top of the defaults (e.g. PROCESSING_DELAY_MS: 0). */
  env?: Record<string, string | number>;
  /** Start each process with `node --cpu-prof` writing into this directory. */
  cpuProfileDir?: string;
}

/**
 * The backend and one consumer, each the build output in a process of its own with plain node,
 * as `npm start` runs them: the defaults of every setting except those in `env`, the world's
 * database and queues, and the rate limit lifted. Logs go to a file (as a container's would),
 * which is removed with the processes unless one of them failed or BENCH_KEEP_LOGS is set.
 */
export async function startDeployed(world: World, options: DeployedOptions = {}) {
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'bench-logs-'));
  const started: ServiceProcess[] = [];
  const stopAll = async () => {
    await Promise.all(started.reverse().map((s) => s.stop()));
    const failed = started.some((s) => s.child.exitCode !== 0);
    if (failed || process.env.BENCH_KEEP_LOGS) {
      process.stderr.write(`service logs kept in ${logDir}\n`);
    } else rmSync(logDir, { recursive: true, force: true });
  };
  try {
    const common = {
      ...options.env,
      BENCH_QUEUES: JSON.stringify(world.queues),
      INTERNAL_API_TOKEN: BENCH_TOKEN,
    };
    const backend = await startService('backend', logDir, options.cpuProfileDir, {
      ...common,
      DB_NAME: world.settings.database,
      BACKEND_PORT: 0,
      RATE_LIMIT_PER_MINUTE: 0,
    });
    started.push(backend);
    const consumer = await startService('consumer', logDir, options.cpuProfileDir, {
      ...common,
      BACKEND_URL: backend.url,
      CONSUMER_PORT: 0,
    });
    started.push(consumer);
    return { backend, consumer, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function startService(
  name: keyof typeof FIXTURES,
  logDir: string,
  cpuProfileDir: string | undefined,
  settings: Record<string, string | number>,
): Promise<ServiceProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // the service's own defaults, not whatever the shell running the bench has set
  for (const key of Object.keys(configSchema)) {
    if (!CONNECTION_KEYS.has(key)) delete env[key];
  }
  for (const [key, value] of Object.entries(settings)) env[key] = String(value);
  const log = openSync(path.join(logDir, `${name}.log`), 'a');
  const execArgv = [...NODE_OPTIONS_OF[name]];
  if (cpuProfileDir) {
    execArgv.push(
      '--cpu-prof',
      `--cpu-prof-dir=${cpuProfileDir}`,
      `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`,
    );
  }
  const child = fork(FIXTURES[name], [], {
    execArgv,
    env,
    stdio: ['ignore', log, log, 'ipc'],
  });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) =>
      reject(new Error(`${name} exited with ${code} before listening (logs: ${logDir})`)),
    );
  });
  const url = `http://127.0.0.1:${port}`;
  if (name === 'consumer') {
    await until(
      'the consumer to subscribe',
      async () => (await fetch(`${url}/health`).catch(() => null))?.ok === true,
      { timeoutMs: 30_000 },
    );
  }
  return {
    name,
    pid: child.pid!,
    port,
    url,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The services measured are the build output, as deployed: brings dist up to date. */
export function buildServices(): void {
  execFileSync(process.execPath, [TSC, '-b', 'tsconfig.build.json'], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    stdio: 'inherit',
  });
}
