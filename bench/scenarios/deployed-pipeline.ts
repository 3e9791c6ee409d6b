import { CpuMeter } from '../lib/cpu.js';
import { JsonClient } from '../lib/http-client.js';
import { gameBody, round, runConcurrently, until } from '../lib/load.js';
import { startDeployed } from '../lib/services.js';
import { countCompleted, createWorld } from '../lib/world.js';

export interface PipelineOptions {
  events: number;
  /** Clients creating games at once. */
  concurrency: number;
  /** Write a CPU profile of each service into this directory. */
  cpuProfileDir?: string;
}

export interface PipelineRun {
  events: number;
  seconds: number;
  eventsPerSec: number;
  /** CPU milliseconds per event of every process taking part. */
  cpuMsPerEvent: Record<string, number>;
}

/**
 * The system as `npm start` runs it, at full speed: the built backend and consumer in processes
 * of their own with their default settings apart from `PROCESSING_DELAY_MS=0` (and the rate
 * limit, lifted), on a fresh database and queues. `concurrency` clients create `events` games
 * through `POST /api/games`; the clock runs from the first request until every task is
 * `completed`. This process only generates the load and counts.
 */
export async function deployedPipeline(options: PipelineOptions): Promise<PipelineRun> {
  const world = await createWorld('pipeline');
  const services = await startDeployed(world, {
    env: { PROCESSING_DELAY_MS: 0 },
    cpuProfileDir: options.cpuProfileDir,
  });
  const client = new JsonClient(services.backend.url, options.concurrency);
  try {
    const cpu = new CpuMeter(
      { backend: services.backend.pid, consumer: services.consumer.pid },
      'loadGenerator',
    );
    const seed = await countCompleted(world.pool);
    const started = performance.now();
    await runConcurrently(options.events, options.concurrency, async (i) => {
      const res = await client.request('POST', '/api/games', gameBody(i));
      if (res.status !== 201) throw new Error(`create answered ${res.status}: ${res.text}`);
    });
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
      cpuMsPerEvent: cpu.perEvent(options.events),
    };
  } finally {
    client.close();
    await services.stop();
    await world.cleanup();
  }
}
