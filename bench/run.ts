// npm run bench: throughput, latency and memory figures of the whole system on this machine,
// against the real MariaDB and RabbitMQ, each scenario on its own database and queues (dropped at
// the end). Prints a readable report and, as the very last line, one JSON object.
//
// Sizes can be changed through the environment (BENCH_EVENTS, BENCH_BACKLOG, ...); the defaults
// are what docs/performance.md reports. Method and findings: docs/performance.md.
import { apiLatency, LIST_PATH } from './scenarios/api-latency.js';
import { backlogMemory } from './scenarios/backlog-memory.js';
import { endToEnd } from './scenarios/end-to-end.js';
import { limitLoop } from './scenarios/limit-loop.js';
import { scaleReads } from './scenarios/scale-reads.js';
import { slowWork } from './scenarios/slow-work.js';
import { round } from './lib/load.js';
import { describeMachine } from './lib/machine.js';

const setting = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const EVENTS = setting('BENCH_EVENTS', 5000);
const CONCURRENCY = 32;
const PREFETCH = setting('BENCH_PREFETCH', 20);
const SLOW_PREFETCH = setting('BENCH_SLOW_PREFETCH', 100);
const BACKLOG = setting('BENCH_BACKLOG', 100_000);
const SCALE_GAMES = setting('BENCH_SCALE_GAMES', 100_000);
const SCALE_TASKS = setting('BENCH_SCALE_TASKS', 1_000_000);

const log = (line = '') => process.stdout.write(`${line}\n`);
const heading = (title: string) => log(`\n== ${title}`);
const started = performance.now();

const machine = describeMachine();
heading('Machine');
log(`${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB RAM`);
log(`Node ${machine.node}, MariaDB ${machine.mariadb}, RabbitMQ ${machine.rabbitmq}`);
log(`load average at start: ${machine.loadAverage.join(' ')}`);

heading(
  `End to end: ${EVENTS} games created through the API (concurrency ${CONCURRENCY}), PREFETCH ${PREFETCH}, no simulated work`,
);
const deployed = await endToEnd({
  events: EVENTS,
  concurrency: CONCURRENCY,
  prefetch: PREFETCH,
  consumerProcess: true,
});
log(
  `consumer in its own process (as deployed): ${deployed.eventsPerSec} events/s (${deployed.seconds} s; creates done after ${deployed.createSeconds} s)`,
);
log(`  CPU ms per event: ${JSON.stringify(deployed.cpuMsPerEvent)}`);
const inProcess = await endToEnd({
  events: EVENTS,
  concurrency: CONCURRENCY,
  prefetch: PREFETCH,
  consumerProcess: false,
});
log(
  `backend, consumer and client in one process:  ${inProcess.eventsPerSec} events/s (${inProcess.seconds} s)`,
);
log(`  CPU ms per event: ${JSON.stringify(inProcess.cpuMsPerEvent)}`);

heading('Practical limit: hand-written raw mysql2 + amqplib loop doing the same durable work');
const limit = await limitLoop({ events: EVENTS, concurrency: CONCURRENCY, prefetch: PREFETCH });
log(`${limit.eventsPerSec} events/s (${limit.seconds} s)`);
log(`  CPU ms per event: ${JSON.stringify(limit.cpuMsPerEvent)}`);
const e2eToLimitRatio = round(deployed.eventsPerSec / limit.eventsPerSec, 2);
log(`end to end / limit = ${e2eToLimitRatio}`);

heading('API latency: autocannon, 64 connections');
const api = await apiLatency({ connections: 64, durationSec: 10, listGames: 10_000 });
log(
  `POST /api/games: ${api.create.perSec} req/s, p50 ${api.create.p50Ms} ms, p99 ${api.create.p99Ms} ms, errors ${api.create.errors}`,
);
log(
  `GET ${LIST_PATH} over ${api.games} games: ${api.list.perSec} req/s, p50 ${api.list.p50Ms} ms, p99 ${api.list.p99Ms} ms, errors ${api.list.errors}`,
);

heading('One consumer, PROCESSING_DELAY_MS=2000');
const slow = await slowWork({ events: 1000, prefetch: SLOW_PREFETCH, processingDelayMs: 2000 });
log(
  `PREFETCH ${slow.prefetch}: ${slow.eventsPerSec} events/s (ceiling ${slow.ceilingPerSec}/s, ${slow.events} events in ${slow.seconds} s)`,
);
const slowDefault = await slowWork({ events: 200, prefetch: 20, processingDelayMs: 2000 });
log(
  `PREFETCH 20 (default): ${slowDefault.eventsPerSec} events/s (ceiling ${slowDefault.ceilingPerSec}/s)`,
);

heading(`Consumer memory while draining a ${BACKLOG}-message backlog`);
const backlog = await backlogMemory({
  messages: BACKLOG,
  prefetch: PREFETCH,
  maxDrainSec: setting('BENCH_DRAIN_SEC', 120),
});
log(
  `published in ${backlog.publishSeconds} s; drained ${backlog.drained} in ${backlog.drainSeconds} s (${backlog.drainPerSec}/s)`,
);
log(
  `consumer RSS: start ${backlog.rssStartMb} MB, peak ${backlog.rssPeakMb} MB, end ${backlog.rssEndMb} MB`,
);

heading(
  `Reads at scale: ${SCALE_GAMES} games, ${SCALE_TASKS} tasks, each read 30 times, one at a time`,
);
const scale = await scaleReads({
  games: SCALE_GAMES,
  tasks: SCALE_TASKS,
  repeat: 30,
  database: process.env.BENCH_SCALE_DB,
});
if (scale.seedSeconds) log(`seeded in ${scale.seedSeconds} s (npm run seed:scale)`);
for (const read of scale.reads) {
  log(`${read.name.padEnd(30)} p50 ${read.p50Ms} ms, p95 ${read.p95Ms} ms (${read.path})`);
}

const figures = {
  e2eEventsPerSec: deployed.eventsPerSec,
  e2eInOneProcessEventsPerSec: inProcess.eventsPerSec,
  limitEventsPerSec: limit.eventsPerSec,
  e2eToLimitRatio,
  apiCreateP50Ms: api.create.p50Ms,
  apiCreateP99Ms: api.create.p99Ms,
  apiListP50Ms: api.list.p50Ms,
  apiListP99Ms: api.list.p99Ms,
  consumerEventsPerSecWith2sWork: slow.eventsPerSec,
  consumerPrefetchWith2sWork: slow.prefetch,
  consumerEventsPerSecWith2sWorkDefaultPrefetch: slowDefault.eventsPerSec,
  consumerRssMbAt100kBacklog: backlog.rssPeakMb,
  scaleReads: Object.fromEntries(
    scale.reads.map((r) => [r.name, { p50Ms: r.p50Ms, p95Ms: r.p95Ms }]),
  ),
  scaleSeedSeconds: scale.seedSeconds,
  events: EVENTS,
  cpus: machine.cpus,
  benchSeconds: round((performance.now() - started) / 1000, 1),
};
heading('Targets');
const check = (name: string, ok: boolean) => log(`${ok ? 'met   ' : 'MISSED'} ${name}`);
check('e2eEventsPerSec >= 1000', figures.e2eEventsPerSec >= 1000);
check('e2eToLimitRatio >= 0.5', figures.e2eToLimitRatio >= 0.5);
check('apiCreateP99Ms <= 50', figures.apiCreateP99Ms <= 50);
check('apiListP99Ms <= 50', figures.apiListP99Ms <= 50);
check('consumerEventsPerSecWith2sWork >= 25', figures.consumerEventsPerSecWith2sWork >= 25);
check('consumerRssMbAt100kBacklog <= 150', figures.consumerRssMbAt100kBacklog <= 150);
log();
log(JSON.stringify(figures));
process.exit(0);
