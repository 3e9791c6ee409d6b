import { CpuMeter } from '../lib/cpu.js';
import { JsonClient } from '../lib/http-client.js';
import { createGames } from '../lib/load.js';
import { startDeployed } from '../lib/services.js';
import { createWorld, timeUntilCompleted, type TimedRun } from '../lib/world.js';

export interface PipelineOptions {
  events: number;
  /** Clients creating games at once. */
  concurrency: number;
  /** Events run through before the clock starts, so that both sides are measured warm. */
  warmup: number;
  /** Write a CPU profile of each service into this directory. */
  cpuProfileDir?: string;
  /** Record each message's journey (JOURNEY_ENABLED), as deployed by default. */
  journey?: boolean;
}

export type PipelineRun = TimedRun;

/**
 * The system as `npm start` runs it, at full speed: the built backend and consumer in processes
 * of their own with their default settings apart from `PROCESSING_DELAY_MS=0` (and the rate
 * limit, lifted), on a fresh database and queues. `concurrency` clients create `events` games
 * through `POST /api/games`; the clock runs from the first request until every task is
 * `completed`, after `warmup` events have gone through the same way (a running service has its
 * code compiled and its pools full). This process only generates the load and counts.
 */
export async function deployedPipeline(options: PipelineOptions): Promise<PipelineRun> {
  const world = await createWorld('pipeline');
  const services = await startDeployed(world, {
    env: { PROCESSING_DELAY_MS: 0, JOURNEY_ENABLED: options.journey === false ? 'false' : 'true' },
    cpuProfileDir: options.cpuProfileDir,
  });
  const client = new JsonClient(services.backend.url, { token: world.accounts.editor.token });
  try {
    const create = (count: number) => createGames(client, count, options.concurrency);
    await timeUntilCompleted(world.pool, options.warmup, () => create(options.warmup));
    return await timeUntilCompleted(world.pool, options.events, () => create(options.events), {
      cpu: () =>
        new CpuMeter(
          { backend: services.backend.pid, consumer: services.consumer.pid },
          'loadGenerator',
        ),
    });
  } finally {
    client.close();
    await services.stop();
    await world.cleanup();
  }
}
