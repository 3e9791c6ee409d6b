import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { TEST_RABBITMQ_URL } from '@retro/common/testing';
import amqplib from 'amqplib';
import { spawnConsumer } from '../lib/child-consumer.js';
import { round, until } from '../lib/load.js';
import { BENCH_TOKEN, createWorld, startWorldBackend } from '../lib/world.js';

const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

export interface BacklogOptions {
  messages: number;
  prefetch: number;
  /** Stop sampling after this long even if the backlog is not drained. */
  maxDrainSec: number;
}

/** Resident set size of a process in MiB, from /proc. */
export function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return line ? Number(line.split(/\s+/)[1]) / 1024 : 0;
}

/**
 * A backlog of `messages` custom messages waits in the queue; one consumer process (the build
 * output, no simulated work) drains it against the real backend while its RSS is sampled from
 * /proc every 250 ms, for at most `maxDrainSec`.
 */
export async function backlogMemory(options: BacklogOptions) {
  const world = await createWorld('backlog');
  const backend = await startWorldBackend(world);
  try {
    const publishStarted = performance.now();
    await publishBacklog(world.queues.main, options.messages);
    const publishSeconds = (performance.now() - publishStarted) / 1000;

    buildServices();
    const consumer = await spawnConsumer(
      world.queues,
      {
        BACKEND_URL: backend.url,
        INTERNAL_API_TOKEN: BENCH_TOKEN,
        PROCESSING_DELAY_MS: 0,
        PREFETCH: options.prefetch,
      },
      'dist',
    );
    const started = performance.now();
    const samples: number[] = [rssMb(consumer.pid)];
    const timer = setInterval(() => samples.push(rssMb(consumer.pid)), 250);
    let left = options.messages;
    try {
      await until(
        'the backlog to drain',
        async () => {
          left = await world.probe.messageCount(world.queues.main);
          return left === 0 || performance.now() - started > options.maxDrainSec * 1000;
        },
        { timeoutMs: (options.maxDrainSec + 30) * 1000, intervalMs: 500 },
      );
    } finally {
      clearInterval(timer);
      samples.push(rssMb(consumer.pid));
      await consumer.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    const drained = options.messages - left;
    return {
      messages: options.messages,
      prefetch: options.prefetch,
      publishSeconds: round(publishSeconds, 2),
      drained,
      drainSeconds: round(seconds, 1),
      drainPerSec: round(drained / seconds),
      rssStartMb: round(samples[0]!),
      rssPeakMb: round(Math.max(...samples)),
      rssEndMb: round(samples[samples.length - 1]!),
    };
  } finally {
    await backend.stop();
    await world.cleanup();
  }
}

/** The consumer measured is the build output (as deployed), so bring dist up to date first. */
function buildServices(): void {
  execFileSync(process.execPath, [TSC, '-b', 'tsconfig.build.json'], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    stdio: 'inherit',
  });
}

/** Publishes the backlog with raw amqplib on a confirm channel, 1,000 confirms at a time. */
async function publishBacklog(queue: string, count: number): Promise<void> {
  const connection = await amqplib.connect(TEST_RABBITMQ_URL);
  try {
    const channel = await connection.createConfirmChannel();
    const timestamp = new Date().toISOString();
    for (let i = 0; i < count; i += 1000) {
      for (let j = i; j < Math.min(count, i + 1000); j++) {
        const body = { type: 'custom', message: `backlog ${j}`, timestamp };
        channel.sendToQueue(queue, Buffer.from(JSON.stringify(body)), {
          persistent: true,
          contentType: 'application/json',
          messageId: `backlog-${j}`,
        });
      }
      await channel.waitForConfirms();
    }
  } finally {
    await connection.close();
  }
}
