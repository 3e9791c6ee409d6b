import { startConsumer } from '@retro/message-consumer';
import { JsonClient } from '../lib/http-client.js';
import { gameBody, round, runConcurrently, until } from '../lib/load.js';
import { BENCH_TOKEN, countCompleted, createWorld, startWorldBackend } from '../lib/world.js';

export interface SlowWorkOptions {
  events: number;
  prefetch: number;
  processingDelayMs: number;
}

/**
 * One consumer whose every message takes `processingDelayMs` of simulated work. The events are
 * created through the API and relayed before the consumer starts; the clock runs from its start
 * until every task is completed.
 */
export async function slowWork(options: SlowWorkOptions) {
  const world = await createWorld('slow');
  const backend = await startWorldBackend(world);
  const client = new JsonClient(backend.url, 32);
  try {
    await runConcurrently(options.events, 32, async (i) => {
      const res = await client.request('POST', '/api/games', gameBody(i));
      if (res.status !== 201) throw new Error(`create answered ${res.status}`);
    });
    await until(
      'the relay to publish every event',
      async () => (await world.probe.messageCount(world.queues.main)) >= options.events,
      { timeoutMs: 60_000 },
    );
    const seed = await countCompleted(world.pool);
    const started = performance.now();
    const consumer = await startConsumer({
      queues: world.queues,
      config: {
        BACKEND_URL: backend.url,
        INTERNAL_API_TOKEN: BENCH_TOKEN,
        CONSUMER_PORT: 0,
        PROCESSING_DELAY_MS: options.processingDelayMs,
        PREFETCH: options.prefetch,
        LOG_LEVEL: 'warn',
      },
    });
    try {
      await until(
        'every task to be completed',
        async () => (await countCompleted(world.pool)) - seed >= options.events,
        { timeoutMs: 300_000, intervalMs: 100 },
      );
    } finally {
      await consumer.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      ...options,
      seconds: round(seconds, 2),
      eventsPerSec: round(options.events / seconds),
      /** What PREFETCH allows at most: that many messages at once, each taking the delay. */
      ceilingPerSec: round(options.prefetch / (options.processingDelayMs / 1000)),
    };
  } finally {
    client.close();
    await backend.stop();
    await world.cleanup();
  }
}
