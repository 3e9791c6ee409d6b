// Measures how many events per second one consumer settles. Not part of the test suite (mocha
// only runs *.test.ts). Run: npx tsx message-consumer/test/throughput.bench.ts [events] [delay ms]
//
// For each setting: N catalog events are created through the API and relayed to the queue while
// no consumer runs; then one consumer starts and the clock runs until it has completed all of them.
import { waitFor } from '@retro/common/testing';
import { ConsumerTestEnv } from './helpers.js';

const events = Number(process.argv[2] ?? 500);
const onlyDelay = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
const settings: Array<{ delay: number; prefetch: number }> = [
  { delay: 0, prefetch: 20 },
  { delay: 0, prefetch: 50 },
  { delay: 0, prefetch: 100 },
  { delay: 2000, prefetch: 20 },
  { delay: 2000, prefetch: 100 },
  { delay: 2000, prefetch: 250 },
].filter((s) => onlyDelay === undefined || s.delay === onlyDelay);

const env = await ConsumerTestEnv.start('consumer_bench');
try {
  for (const { delay, prefetch } of settings) {
    // distinct games, so per-game ordering does not serialize the run
    for (let i = 0; i < events; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, events - i) }, (_, j) =>
          env.createGame(`Bench ${delay}-${prefetch}-${i + j}`),
        ),
      );
    }
    await waitFor(
      'the relay to publish every event',
      async () => (await env.probe.messageCount(env.queues.main)) >= events,
      { timeoutMs: 120_000 },
    );
    const started = performance.now();
    const consumer = await env.startConsumer({ PROCESSING_DELAY_MS: delay, PREFETCH: prefetch });
    await waitFor(
      'every event to complete',
      () => consumer.settlements.filter((s) => s.outcome === 'completed').length >= events,
      { timeoutMs: 600_000, intervalMs: 20 },
    );
    const seconds = (performance.now() - started) / 1000;
    await consumer.stop();
    const retried = consumer.settlements.filter((s) => s.outcome === 'retried').length;
    console.log(
      `PROCESSING_DELAY_MS=${delay} PREFETCH=${prefetch}: ${events} events in ${seconds.toFixed(2)} s = ${(events / seconds).toFixed(1)} events/s (retries: ${retried})`,
    );
  }
} finally {
  await env.cleanup();
}
