import { configSchema } from '@retro/common';
import { JsonClient } from '../lib/http-client.js';
import { gameBody, round, runConcurrently, until } from '../lib/load.js';
import { startDeployed } from '../lib/services.js';
import { countCompleted, createWorld } from '../lib/world.js';

/**
 * The services as deployed with every default, so one consumer with `PREFETCH` messages at once,
 * each taking `PROCESSING_DELAY_MS` (2 s) of simulated work. `events` games are created through
 * the API at full speed; the clock runs from the first create until every task is completed.
 */
export async function slowWork(options: { events: number }) {
  const prefetch = configSchema.PREFETCH.parse(undefined);
  const processingDelayMs = configSchema.PROCESSING_DELAY_MS.parse(undefined);
  const world = await createWorld('slow');
  const services = await startDeployed(world);
  const client = new JsonClient(services.backend.url, 32);
  try {
    const seed = await countCompleted(world.pool);
    const started = performance.now();
    await runConcurrently(options.events, 32, async (i) => {
      const res = await client.request('POST', '/api/games', gameBody(i));
      if (res.status !== 201) throw new Error(`create answered ${res.status}`);
    });
    await until(
      'every task to be completed',
      async () => (await countCompleted(world.pool)) - seed >= options.events,
      { timeoutMs: 600_000, intervalMs: 200 },
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      events: options.events,
      prefetch,
      processingDelayMs,
      seconds: round(seconds, 2),
      eventsPerSec: round(options.events / seconds),
      /** What PREFETCH allows at most: that many messages at once, each taking the delay. */
      ceilingPerSec: round(prefetch / (processingDelayMs / 1000)),
    };
  } finally {
    client.close();
    await services.stop();
    await world.cleanup();
  }
}
