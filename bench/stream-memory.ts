// npm run bench:streams: what idle viewers of the live task stream cost one backend instance.
// The built backend runs in a process of its own (plain node, as deployed); BENCH_VIEWERS streams
// (default 1,000) are opened from this process, eight per loopback address as the default
// STREAM_MAX_PER_CLIENT allows, and its memory is read after a full GC before and after. Then one
// batch of 100 changes is sent to all of them and timed. Prints a report and a JSON last line.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { configSchema } from '@retro/common';
import { TEST_METRICS_TOKEN } from '@retro/common/testing';
import { BENCH_TOKEN, createWorld } from './lib/world.js';
import { round, until } from './lib/load.js';

const VIEWERS = Number(process.env.BENCH_VIEWERS ?? 1000);
const PER_ADDRESS = configSchema.STREAM_MAX_PER_CLIENT.parse(undefined);
const CHANGES = 100;
const LAST_CHANGE = `fan-out-${CHANGES - 1}`;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/backend-process.mjs', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const log = (line = '') => process.stdout.write(`${line}\n`);
const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);

type Memory = NodeJS.MemoryUsage;

execFileSync(process.execPath, [TSC, '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
const world = await createWorld('streams');
const child = fork(FIXTURE, [], {
  execArgv: ['--expose-gc'],
  env: {
    ...process.env,
    BENCH_QUEUES: JSON.stringify(world.queues),
    DB_NAME: world.settings.database,
    BACKEND_PORT: '0',
    INTERNAL_API_TOKEN: BENCH_TOKEN,
    // open streams are counted on /metrics, read as a scraper does
    METRICS_TOKEN: TEST_METRICS_TOKEN,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '0',
  },
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
const { port } = await reply<{ port: number }>(child);
const base = `http://127.0.0.1:${port}`;
const viewers: Viewer[] = [];

try {
  // warm up: the first streams and requests load code that every later one shares
  const warm = await Promise.all(Array.from({ length: 4 }, (_, i) => openViewer(i)));
  for (const viewer of warm) viewer.req.destroy();
  await until('the warm-up streams to close', async () => (await openStreams()) === 0, {
    timeoutMs: 10_000,
  });
  const before = await measure();

  const opening = performance.now();
  for (let i = 0; i < VIEWERS; i += 50) {
    const batch = Array.from({ length: Math.min(50, VIEWERS - i) }, (_, j) => openViewer(i + j));
    viewers.push(...(await Promise.all(batch)));
  }
  const openSeconds = (performance.now() - opening) / 1000;
  await until('every stream open', async () => (await openStreams()) === VIEWERS, {
    timeoutMs: 30_000,
  });
  const idle = await measure();

  const fanOutStarted = performance.now();
  await report(Array.from({ length: CHANGES }, (_, i) => `fan-out-${i}`));
  await until('every viewer to see the batch', async () => viewers.every((v) => v.done), {
    timeoutMs: 60_000,
    intervalMs: 10,
  });
  const fanOutMs = performance.now() - fanOutStarted;
  const afterFanOut = await measure();

  const perStreamKb = (key: keyof Memory) => round((idle[key] - before[key]) / VIEWERS / 1024, 1);
  log(`== ${VIEWERS} idle live task streams on one backend instance (${PER_ADDRESS} per address)`);
  log(`opened in ${round(openSeconds, 2)} s`);
  log(`before: rss ${mb(before.rss)} MB, heap used ${mb(before.heapUsed)} MB`);
  log(`idle:   rss ${mb(idle.rss)} MB, heap used ${mb(idle.heapUsed)} MB`);
  log(`per stream: rss ${perStreamKb('rss')} KB, heap ${perStreamKb('heapUsed')} KB`);
  log(
    `${CHANGES} changes to all ${VIEWERS}: ${round(fanOutMs, 0)} ms until the last viewer had them; ` +
      `after: rss ${mb(afterFanOut.rss)} MB, heap used ${mb(afterFanOut.heapUsed)} MB`,
  );
  log(
    JSON.stringify({
      viewers: VIEWERS,
      rssMbBefore: mb(before.rss),
      rssMbIdle: mb(idle.rss),
      heapMbBefore: mb(before.heapUsed),
      heapMbIdle: mb(idle.heapUsed),
      rssKbPerStream: perStreamKb('rss'),
      heapKbPerStream: perStreamKb('heapUsed'),
      fanOutMsFor100Changes: round(fanOutMs, 0),
      rssMbAfterFanOut: mb(afterFanOut.rss),
    }),
  );
} finally {
  for (const viewer of viewers) viewer.req.destroy();
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  await world.cleanup();
}

interface Viewer {
  req: http.ClientRequest;
  /** Whether the last change of the fan-out batch has arrived. */
  done: boolean;
}

/** A viewer from its own loopback address (eight per address), open once `: connected` arrives. */
function openViewer(n: number): Promise<Viewer> {
  const address = Math.floor(n / PER_ADDRESS);
  const localAddress = `127.0.${Math.floor(address / 250)}.${2 + (address % 250)}`;
  return new Promise((resolve, reject) => {
    // only the end of what arrived is kept, enough to find a frame split across chunks
    let tail = '';
    const req = http.get(`${base}/api/tasks/stream`, { agent: false, localAddress }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`stream ${n} answered ${res.statusCode}`));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        tail = (tail + chunk).slice(-1024);
        if (tail.includes(': connected')) resolve(viewer);
        if (tail.includes(`"${LAST_CHANGE}"`)) viewer.done = true;
      });
    });
    const viewer: Viewer = { req, done: false };
    req.on('error', reject);
  });
}

async function report(messageIds: string[]): Promise<void> {
  const res = await fetch(`${base}/api/internal/tasks/status`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_TOKEN}` },
    body: JSON.stringify({
      updates: messageIds.map((messageId) => ({ messageId, status: 'processing', type: 'custom' })),
    }),
  });
  if (res.status !== 200) throw new Error(`report answered ${res.status}`);
}

async function openStreams(): Promise<number> {
  const text = await (
    await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` } })
  ).text();
  const line = text.split('\n').find((l) => l.startsWith('task_streams_open '));
  return Number(line?.split(' ')[1] ?? NaN);
}

function measure(): Promise<Memory> {
  child.send('measure');
  return reply<Memory>(child);
}

function reply<T>(process: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    process.once('message', (message) => resolve(message as T));
    process.once('exit', (code) => reject(new Error(`backend exited with ${code}`)));
  });
}
