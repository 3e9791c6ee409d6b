import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { TEST_RABBITMQ_URL, waitFor } from '@retro/common/testing';
import amqplib from 'amqplib';
import { asRoot } from './as-root.js';
import { ExitGuard } from './exit-guard.js';

const run = promisify(execFile);

/**
 * Stops and starts the local RabbitMQ application (`rabbitmqctl stop_app` / `start_app`: the Erlang
 * node keeps running, durable queues and persistent messages survive). Whatever stopped it, the
 * broker is started again: by `restore()` from an `after` hook, and synchronously when the process
 * exits or is interrupted, so a failing or aborted run never leaves RabbitMQ down for others.
 */
export class BrokerControl {
  private stopped = false;
  private readonly guard = new ExitGuard(() => this.restoreSync());

  constructor() {
    this.guard.arm();
  }

  /** Stops the broker and waits until it refuses connections. */
  async stop(): Promise<void> {
    this.stopped = true;
    await run(...asRoot('rabbitmqctl', ['stop_app']), { timeout: 60_000 });
    await waitFor('RabbitMQ to refuse connections', async () => !(await answers()), {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
  }

  /** Starts the broker and waits until it accepts an AMQP connection again. */
  async start(): Promise<void> {
    await run(...asRoot('rabbitmqctl', ['start_app']), { timeout: 120_000 });
    await waitFor('RabbitMQ to answer again', answers, { timeoutMs: 60_000, intervalMs: 200 });
    this.stopped = false;
  }

  /** Starts the broker if this suite left it stopped; then stops watching the process. */
  async restore(): Promise<void> {
    if (this.stopped) await this.start();
    this.guard.release();
  }

  private restoreSync(): void {
    if (!this.stopped) return;
    this.stopped = false;
    execFileSync(...asRoot('rabbitmqctl', ['start_app']), { stdio: 'ignore', timeout: 120_000 });
  }
}

/** Whether RabbitMQ accepts an AMQP connection right now. */
export async function answers(): Promise<boolean> {
  try {
    const connection = await amqplib.connect(TEST_RABBITMQ_URL, { timeout: 2000 });
    connection.on('error', () => undefined);
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Stopping RabbitMQ breaks any other test run that uses it at that moment. Waits until no mocha
 * process other than this one (and its parents) is running.
 */
export async function waitForNoOtherMocha(timeoutMs: number): Promise<void> {
  const mine = ancestors(process.pid);
  const others = () => {
    let out: string;
    try {
      out = execFileSync('pgrep', ['-fa', 'mocha'], { encoding: 'utf8' });
    } catch {
      return []; // pgrep exits 1 when nothing matches
    }
    return out
      .split('\n')
      .filter(Boolean)
      .filter((line) => !mine.has(Number(line.split(' ')[0])));
  };
  let last: string[] = [];
  await waitFor(
    'other mocha runs to finish before stopping RabbitMQ',
    () => {
      last = others();
      return last.length === 0;
    },
    { timeoutMs, intervalMs: 2000 },
  ).catch((error: Error) => {
    throw new Error(`${error.message}; still running:\n${last.join('\n')}`);
  });
}

function ancestors(pid: number): Set<number> {
  const found = new Set<number>();
  let current = pid;
  while (current > 1 && !found.has(current)) {
    found.add(current);
    try {
      const stat = readFileSync(`/proc/${current}/stat`, 'utf8');
      current = Number(stat.split(') ')[1]!.split(' ')[1]);
    } catch {
      break;
    }
  }
  return found;
}
