import { readFileSync } from 'node:fs';
import { TEST_RABBITMQ_URL } from '@retro/common/testing';
import amqplib from 'amqplib';
import { round, until } from '../lib/load.js';
import { startDeployed } from '../lib/services.js';
import { createWorld } from '../lib/world.js';

export interface BacklogOptions {
  messages: number;
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
 * A backlog of `messages` custom messages waits in the queue; then the services start as deployed
 * (default settings apart from `PROCESSING_DELAY_MS=0`) and the consumer drains it while its RSS
 * is sampled from /proc every 250 ms, for at most `maxDrainSec`.
 */
export async function backlogMemory(options: BacklogOptions) {
  const world = await createWorld('backlog');
  try {
    const publishStarted = performance.now();
    await publishBacklog(world.queues.main, options.messages);
    const publishSeconds = (performance.now() - publishStarted) / 1000;

    const services = await startDeployed(world, { env: { PROCESSING_DELAY_MS: 0 } });
    const { pid } = services.consumer;
    const started = performance.now();
    const samples: number[] = [rssMb(pid)];
    const timer = setInterval(() => samples.push(rssMb(pid)), 250);
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
      samples.push(rssMb(pid));
      await services.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    const drained = options.messages - left;
    return {
      messages: options.messages,
      publishSeconds: round(publishSeconds, 2),
      drained,
      drainSeconds: round(seconds, 1),
      drainPerSec: round(drained / seconds),
      rssStartMb: round(samples[0]!),
      rssPeakMb: round(Math.max(...samples)),
      rssEndMb: round(samples[samples.length - 1]!),
    };
  } finally {
    await world.cleanup();
  }
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
