import { startConsumer } from '@retro/message-consumer';
import { spawnConsumer } from '../lib/child-consumer.js';
import { BENCH_TOKEN, countCompleted, createWorld, startWorldBackend } from '../lib/world.js';
import { CpuMeter } from '../lib/cpu.js';
import { JsonClient } from '../lib/http-client.js';
import { gameBody, round, runConcurrently, until } from '../lib/load.js';

export interface EndToEndOptions {
  events: number;
  concurrency: number;
  prefetch: number;
  /** Run the consumer in a process of its own (as deployed) instead of in this one. */
  consumerProcess: boolean;
}

export interface EndToEndResult {
  events: number;
  seconds: number;
  eventsPerSec: number;
  /** When the last create answered: the API's share of the run. */
  createSeconds: number;
  /** CPU milliseconds per event of each process (this one, MariaDB, RabbitMQ). */
  cpuMsPerEvent: Record<string, number>;
}

/**
 * N games created through the API by `concurrency` clients while the relay and one consumer
 * (no simulated work) run; the clock stops when every task is `completed`.
 */
export async function endToEnd(options: EndToEndOptions): Promise<EndToEndResult> {
  const world = await createWorld('e2e');
  const backend = await startWorldBackend(world);
  const consumerConfig = {
    BACKEND_URL: backend.url,
    INTERNAL_API_TOKEN: BENCH_TOKEN,
    CONSUMER_PORT: 0,
    PROCESSING_DELAY_MS: 0,
    PREFETCH: options.prefetch,
    LOG_LEVEL: 'warn',
  };
  const consumer = options.consumerProcess
    ? await spawnConsumer(world.queues, consumerConfig)
    : await startConsumer({ queues: world.queues, config: consumerConfig });
  const client = new JsonClient(backend.url, options.concurrency);
  try {
    const seed = await countCompleted(world.pool);
    const cpu = new CpuMeter('pid' in consumer ? { consumer: consumer.pid } : {});
    const started = performance.now();
    let createSeconds = 0;
    await runConcurrently(options.events, options.concurrency, async (i) => {
      const res = await client.request('POST', '/api/games', gameBody(i));
      if (res.status !== 201) throw new Error(`create answered ${res.status}: ${res.text}`);
    });
    createSeconds = (performance.now() - started) / 1000;
    await until(
      'every task to be completed',
      async () => (await countCompleted(world.pool)) - seed >= options.events,
      { timeoutMs: 300_000, intervalMs: 50 },
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      events: options.events,
      seconds: round(seconds, 2),
      eventsPerSec: round(options.events / seconds),
      createSeconds: round(createSeconds, 2),
      cpuMsPerEvent: cpu.perEvent(options.events),
    };
  } finally {
    client.close();
    await consumer.stop();
    await backend.stop();
    await world.cleanup();
  }
}
