import { configSchema } from '@retro/common';
import { JsonClient } from '../lib/http-client.js';
import { createGames, round } from '../lib/load.js';
import { startDeployed } from '../lib/services.js';
import { createWorld, timeUntilCompleted } from '../lib/world.js';

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
  const client = new JsonClient(services.backend.url, { token: world.accounts.editor.token });
  try {
    const { seconds, eventsPerSec } = await timeUntilCompleted(
      world.pool,
      options.events,
      () => createGames(client, options.events, 32),
      { intervalMs: 200 },
    );
    return {
      events: options.events,
      prefetch,
      processingDelayMs,
      seconds,
      eventsPerSec,
      /** What PREFETCH allows at most: that many messages at once, each taking the delay. */
      ceilingPerSec: round(prefetch / (processingDelayMs / 1000)),
    };
  } finally {
    client.close();
    await services.stop();
    await world.cleanup();
  }
}
