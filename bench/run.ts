// npm run bench: throughput, latency and memory figures of the whole system on this machine,
// against the real MariaDB and RabbitMQ, each scenario on its own database and queues (dropped at
// the end). Prints a readable report and, as the very last line, one JSON object with every figure.
//
// Scenarios: pipeline, access, api, slow, backlog, scale, search (all by default). Pick some with arguments
// (`npm run bench -- pipeline api`) or BENCH_SCENARIOS=pipeline,api. Sizes through the
// environment (BENCH_EVENTS, BENCH_ROUNDS, ...); the defaults are what docs/performance.md reports.
import { configSchema } from '@retro/common';
import { accessCheck } from './scenarios/access-check.js';
import { apiLatency, LIST_PATH } from './scenarios/api-latency.js';
import { archiveSearch } from './scenarios/archive-search.js';
import { backlogMemory } from './scenarios/backlog-memory.js';
import { comparePipeline } from './scenarios/pipeline.js';
import { scaleReads } from './scenarios/scale-reads.js';
import { slowWork } from './scenarios/slow-work.js';
import { round } from './lib/load.js';
import { describeMachine } from './lib/machine.js';
import { buildServices } from './lib/services.js';

const SCENARIOS = ['pipeline', 'access', 'api', 'slow', 'backlog', 'scale', 'search'] as const;
type Scenario = (typeof SCENARIOS)[number];

const setting = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const EVENTS = setting('BENCH_EVENTS', 5000);
const ROUNDS = setting('BENCH_ROUNDS', 3);
const WARMUP = setting('BENCH_WARMUP', 500);
const CONCURRENCY = 32;
const PLAIN_PREFETCH = 100;
const SLOW_EVENTS = setting('BENCH_SLOW_EVENTS', 1000);
const BACKLOG = setting('BENCH_BACKLOG', 100_000);
const SCALE_GAMES = setting('BENCH_SCALE_GAMES', 100_000);
const SCALE_TASKS = setting('BENCH_SCALE_TASKS', 1_000_000);
const ARCHIVED = setting('BENCH_ARCHIVED', 100_000);

const picked = chosenScenarios();
const log = (line = '') => process.stdout.write(`${line}\n`);
const heading = (title: string) => log(`\n== ${title}`);
const started = performance.now();
const figures: Record<string, unknown> = {};

const machine = describeMachine();
heading('Machine');
log(`${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB RAM`);
log(`Node ${machine.node}, MariaDB ${machine.mariadb}, RabbitMQ ${machine.rabbitmq}`);
log(`load average at start: ${machine.loadAverage.join(' ')}`);
log(`scenarios: ${picked.join(', ')}`);
// the services measured are the build output, as deployed: bring dist up to date first
buildServices();

if (picked.includes('pipeline')) {
  heading(
    `Pipeline: ${EVENTS} games created through the API by ${CONCURRENCY} clients, the services ` +
      `as npm start runs them (PROCESSING_DELAY_MS=0), against a plain amqplib + mysql2 loop ` +
      `(${CONCURRENCY} writers, prefetch ${PLAIN_PREFETCH}); ${ROUNDS} rounds, alternated; ` +
      `each side timed after ${WARMUP} warm-up events`,
  );
  const pipeline = await comparePipeline({
    rounds: ROUNDS,
    events: EVENTS,
    concurrency: CONCURRENCY,
    prefetch: PLAIN_PREFETCH,
    warmup: WARMUP,
    cpuProfileDir: process.env.BENCH_CPU_PROF,
    compareJourney: process.env.BENCH_JOURNEY_COMPARE === '1',
    onRun: (n, side, run) =>
      log(
        `round ${n} ${side.padEnd(8)} ${run.eventsPerSec} events/s (${run.seconds} s); CPU ms/event ${JSON.stringify(run.cpuMsPerEvent)}`,
      ),
  });
  pipeline.rounds.forEach((r, i) => log(`round ${i + 1}: deployed / plain = ${r.ratio}`));
  log(
    `overall: deployed ${pipeline.deployedEventsPerSec} events/s, plain ${pipeline.plainEventsPerSec} events/s, ratio ${pipeline.ratio}`,
  );
  if (pipeline.journeyCost !== null) {
    log(
      `journeys: ${pipeline.noJourneyEventsPerSec} events/s without (JOURNEY_ENABLED=false), ` +
        `${pipeline.deployedEventsPerSec} with; recording costs ${round(pipeline.journeyCost * 100, 1)} %`,
    );
  }
  figures.pipeline = {
    ratio: pipeline.ratio,
    noJourneyEventsPerSec: pipeline.noJourneyEventsPerSec,
    journeyCost: pipeline.journeyCost,
    ratioPerRound: pipeline.rounds.map((r) => r.ratio),
    deployedEventsPerSec: pipeline.deployedEventsPerSec,
    plainEventsPerSec: pipeline.plainEventsPerSec,
    deployedEventsPerSecPerRound: pipeline.rounds.map((r) => r.deployed.eventsPerSec),
    plainEventsPerSecPerRound: pipeline.rounds.map((r) => r.plain.eventsPerSec),
    cpuMsPerEvent: pipeline.cpuMsPerEvent,
    events: EVENTS,
    warmupEvents: WARMUP,
    rounds: ROUNDS,
  };
}

if (picked.includes('access')) {
  heading("The access check alone: the backend's route table and identity store, in process");
  const access = await accessCheck({ calls: setting('BENCH_ACCESS_CALLS', 200_000) });
  log(`create with a personal token (identity cached): ${access.tokenCachedUs} µs per request`);
  log(`create with a session cookie (identity cached): ${access.sessionCachedUs} µs per request`);
  log(`anonymous read (table and host check only): ${access.anonymousReadUs} µs per request`);
  log(`token not cached (one indexed MySQL read, wall time): ${access.tokenUncachedUs} µs`);
  figures.accessCheck = access;
}

if (picked.includes('api')) {
  heading('API latency: autocannon, 64 connections');
  const api = await apiLatency({ connections: 64, durationSec: 10, listGames: 10_000 });
  log(
    `POST /api/games: ${api.create.perSec} req/s, p50 ${api.create.p50Ms} ms, p99 ${api.create.p99Ms} ms, errors ${api.create.errors}`,
  );
  log(
    `GET ${LIST_PATH} over ${api.games} games: ${api.list.perSec} req/s, p50 ${api.list.p50Ms} ms, p99 ${api.list.p99Ms} ms, errors ${api.list.errors}`,
  );
  figures.api = {
    createPerSec: api.create.perSec,
    createP50Ms: api.create.p50Ms,
    createP99Ms: api.create.p99Ms,
    listPerSec: api.list.perSec,
    listP50Ms: api.list.p50Ms,
    listP99Ms: api.list.p99Ms,
    errors: api.create.errors + api.list.errors,
  };
}

const defaultPrefetch = configSchema.PREFETCH.parse(undefined);
if (picked.includes('slow')) {
  heading(
    `One consumer as deployed, default PROCESSING_DELAY_MS (2 s) and PREFETCH (${defaultPrefetch})`,
  );
  const slow = await slowWork({ events: SLOW_EVENTS });
  log(
    `${slow.eventsPerSec} events/s (ceiling PREFETCH / 2 s = ${slow.ceilingPerSec}/s, ${slow.events} events in ${slow.seconds} s)`,
  );
  figures.slowWork = {
    eventsPerSec: slow.eventsPerSec,
    ceilingPerSec: slow.ceilingPerSec,
    prefetch: slow.prefetch,
    processingDelayMs: slow.processingDelayMs,
  };
}

if (picked.includes('backlog')) {
  heading(
    `Consumer memory while draining a ${BACKLOG}-message backlog (default PREFETCH ${defaultPrefetch})`,
  );
  const backlog = await backlogMemory({
    messages: BACKLOG,
    maxDrainSec: setting('BENCH_DRAIN_SEC', 120),
  });
  log(
    `published in ${backlog.publishSeconds} s; drained ${backlog.drained} in ${backlog.drainSeconds} s (${backlog.drainPerSec}/s)`,
  );
  log(
    `consumer RSS: start ${backlog.rssStartMb} MB, peak ${backlog.rssPeakMb} MB, end ${backlog.rssEndMb} MB`,
  );
  figures.backlog = {
    messages: backlog.messages,
    drainPerSec: backlog.drainPerSec,
    consumerRssStartMb: backlog.rssStartMb,
    consumerRssPeakMb: backlog.rssPeakMb,
    consumerRssEndMb: backlog.rssEndMb,
  };
}

if (picked.includes('scale')) {
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
  figures.scaleReads = Object.fromEntries(
    scale.reads.map((r) => [r.name, { p50Ms: r.p50Ms, p95Ms: r.p95Ms }]),
  );
  figures.scaleSeedSeconds = scale.seedSeconds;
}

if (picked.includes('search')) {
  heading(
    `Dead-letter body search: ${ARCHIVED} archived messages, a page of 50 and the total, ` +
      `each text 30 times, the trigram index beside the plain LIKE scan`,
  );
  const search = await archiveSearch({ rows: ARCHIVED, repeat: 30 });
  log(`seeded in ${search.seedSeconds} s (rows and their trigrams)`);
  for (const s of search.searches) {
    log(
      `${JSON.stringify(s.text).padEnd(16)} ${String(s.matching).padStart(6)} matching: ` +
        `indexed p50 ${s.indexed.p50Ms} ms, p95 ${s.indexed.p95Ms} ms; ` +
        `LIKE scan p50 ${s.likeScan.p50Ms} ms, p95 ${s.likeScan.p95Ms} ms`,
    );
  }
  // the target is for text that narrows the archive: one that every body holds is counted row by row
  const narrowing = search.searches.filter((s) => s.matching <= ARCHIVED / 100);
  figures.archiveSearch = {
    rows: ARCHIVED,
    seedSeconds: search.seedSeconds,
    narrowingP95Ms: Math.max(...narrowing.map((s) => s.indexed.p95Ms)),
    searches: search.searches,
  };
}

figures.cpus = machine.cpus;
figures.loadAverageAtStart = machine.loadAverage;
figures.benchSeconds = round((performance.now() - started) / 1000, 1);

heading('Targets');
const check = (name: string, value: number | undefined, ok: (v: number) => boolean) => {
  if (value !== undefined) log(`${ok(value) ? 'met   ' : 'MISSED'} ${name}: ${value}`);
};
const f = figures as {
  pipeline?: { ratio: number };
  api?: { createP99Ms: number; listP99Ms: number };
  slowWork?: { eventsPerSec: number };
  backlog?: { consumerRssPeakMb: number };
  archiveSearch?: { narrowingP95Ms: number };
};
check('pipeline ratio >= 0.8', f.pipeline?.ratio, (v) => v >= 0.8);
check('API create p99 <= 50 ms', f.api?.createP99Ms, (v) => v <= 50);
check('API list p99 <= 50 ms', f.api?.listP99Ms, (v) => v <= 50);
check('events/s with 2 s work >= 25', f.slowWork?.eventsPerSec, (v) => v >= 25);
check(
  'body search p95 <= 50 ms (text matching <= 1 % of the archive)',
  f.archiveSearch?.narrowingP95Ms,
  (v) => v <= 50,
);
check('consumer RSS at the backlog <= 150 MB', f.backlog?.consumerRssPeakMb, (v) => v <= 150);
log();
log(JSON.stringify(figures));
process.exit(0);

function chosenScenarios(): Scenario[] {
  const asked = [
    ...process.argv.slice(2),
    ...(process.env.BENCH_SCENARIOS ?? '').split(',').filter(Boolean),
  ].map((s) => s.trim());
  const unknown = asked.filter((s) => !SCENARIOS.includes(s as Scenario));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}\n`,
    );
    process.exit(2);
  }
  return asked.length > 0 ? SCENARIOS.filter((s) => asked.includes(s)) : [...SCENARIOS];
}
