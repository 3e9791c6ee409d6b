import { metricValue } from '@retro/common/testing';
// A consumer deployed with the wrong INTERNAL_API_TOKEN while events flow. Every status write
// answers 401, which says nothing about the messages: parking them would turn one configuration
// mistake into a DLQ full of good events. The consumer must stop consuming, say why on /health,
// /metrics and in its log, and lose nothing; a consumer with the right token then finishes all.
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import { createGames } from './lib/catalog.js';
import { FAULT_TOKEN, type ConsumerFleet, type ConsumerProcess } from './lib/services.js';
import {
  FaultWorld,
  describeState,
  summarize,
  type Settled,
  type WorldState,
} from './lib/world.js';

const EVENTS = 40;
const WATCH_MS = 20_000;
/** Long enough to pass the config check (16 characters), and not the backend's. */
const WRONG_TOKEN = 'not-the-backend-token-0123456789';

/** What the consumer and the world looked like at one moment of the watch. */
interface Sample {
  at: number;
  health: { code: number; body: Record<string, unknown> | undefined };
  circuitOpen: number | undefined;
  state: WorldState;
}

describe('when a consumer runs with the wrong INTERNAL_API_TOKEN while events flow', function () {
  this.timeout(3 * 60_000);

  let world: FaultWorld;
  let fleet: ConsumerFleet;
  let consumer: ConsumerProcess;
  const samples: Sample[] = [];
  let openedTotal: number | undefined;
  let subscribers: number | null;

  before(async function () {
    world = await FaultWorld.open('wrong_token');
    const backend = await world.backend();
    fleet = world.consumers({
      BACKEND_URL: backend.url,
      INTERNAL_API_TOKEN: WRONG_TOKEN,
      PROCESSING_DELAY_MS: 50,
      PREFETCH: 20,
      MAX_RETRIES: 3,
      // short, so a consumer that spends retries on the 401s visibly parks within the watch
      RETRY_DELAY_MS: 200,
      LOG_LEVEL: 'error',
    });
    consumer = await fleet.spawn();
    await createGames(backend, EVENTS);
    await waitFor(
      'the relay to publish every event',
      async () => (await world.state()).unpublished === 0,
    );
    // the watch starts once the circuit has opened; if it never does, the samples show it
    await waitFor(
      'the circuit to open',
      async () => (await readHealth(consumer)).body?.circuit === 'open',
      { timeoutMs: 5000 },
    ).catch(() => undefined);

    const started = performance.now();
    while (performance.now() - started < WATCH_MS) {
      samples.push({
        at: Math.round(performance.now() - started),
        health: await readHealth(consumer),
        circuitOpen: metricValue(await readMetrics(consumer), 'consumer_circuit_open'),
        state: await world.state(),
      });
      await sleep(500);
    }
    openedTotal = metricValue(await readMetrics(consumer), 'consumer_circuit_opened_total', {
      cause: 'unauthorized',
    });
    subscribers = await world.subscribers(world.queues.main);
    console.log(`\n    after ${WATCH_MS / 1000} s: ${describeState(samples.at(-1)!.state)}\n`);
  });

  after(() => world?.close());

  it('then /health answers 200 degraded with the circuit open and a reason naming INTERNAL_API_TOKEN, throughout', () => {
    const off = samples.filter(
      ({ health: { code, body } }) =>
        code !== 200 ||
        body?.status !== 'degraded' ||
        body.circuit !== 'open' ||
        !String(body.reason).includes('INTERNAL_API_TOKEN'),
    );
    expect(
      off.slice(0, 3).map((s) => `${s.at} ms: ${s.health.code} ${JSON.stringify(s.health.body)}`),
      `/health answers that were not degraded (${off.length} of ${samples.length}, first 3)`,
    ).to.deep.equal([]);
  });

  it('then it logs an error naming INTERNAL_API_TOKEN', () => {
    const errors = consumer
      .output()
      .split('\n')
      .filter((line) => line.includes('"level":"error"'));
    const naming = errors.filter((line) => line.includes('INTERNAL_API_TOKEN'));
    expect(
      naming.length,
      `error lines naming INTERNAL_API_TOKEN, of ${errors.length} error lines: ${errors.slice(0, 3).join(' | ')}`,
    ).to.be.at.least(1);
  });

  it('then /metrics shows consumer_circuit_open 1 throughout and an opening caused by unauthorized', () => {
    const seen = [...new Set(samples.map((s) => s.circuitOpen ?? 'absent'))];
    expect(seen, 'values of consumer_circuit_open, sampled every 500 ms').to.deep.equal([1]);
    expect(openedTotal ?? 'absent', 'consumer_circuit_opened_total{cause="unauthorized"}')
      .to.be.a('number')
      .and.at.least(1);
  });

  it('then it stops consuming and every event waits in the main queue', () => {
    const last = samples.at(-1)!.state;
    expect(
      { waiting: last.main, subscribers },
      `main queue and its subscribers; ${describeState(last)}`,
    ).to.deep.equal({ waiting: EVENTS, subscribers: 0 });
  });

  it('then nothing is parked, retried, completed or failed', () => {
    const off = samples.filter(({ state }) => {
      const counts = summarize(state.tasks);
      return state.dlq !== 0 || state.retry !== 0 || counts.completed + counts.failed > 0;
    });
    expect(
      off.slice(0, 3).map((s) => `${s.at} ms: ${describeState(s.state)}`),
      `moments something was parked, retried or finished (${off.length} of ${samples.length}, first 3)`,
    ).to.deep.equal([]);
  });

  describe('and then a consumer with the right token replaces it', function () {
    let replacement: ConsumerProcess;
    let end: Settled;

    before(async function () {
      await fleet.killOne();
      replacement = await fleet.spawn({ INTERNAL_API_TOKEN: FAULT_TOKEN });
      end = await world.settle({ tasks: EVENTS, timeoutMs: 60_000 });
      console.log(`\n    ${end.outcome} after ${end.seconds} s: ${describeState(end.state)}\n`);
    });

    it('then every task completes, each at its first attempt', () => {
      expect(summarize(end.state.tasks), describeState(end.state)).to.deep.equal({
        pending: 0,
        processing: 0,
        completed: EVENTS,
        failed: 0,
      });
      const retried = end.state.tasks.filter((t) => t.attempts > 1);
      expect(retried.length, 'tasks that spent x-retry-count on the 401s').to.equal(0);
    });

    it('then the DLQ is empty', () => {
      expect(end.state.dlq, `parked; ${describeState(end.state)}`).to.equal(0);
    });

    it('then its /health says ok with the circuit closed, and consumer_circuit_open is 0', async () => {
      const { code, body } = await readHealth(replacement);
      expect({ code, status: body?.status, circuit: body?.circuit }).to.deep.equal({
        code: 200,
        status: 'ok',
        circuit: 'closed',
      });
      expect(metricValue(await readMetrics(replacement), 'consumer_circuit_open')).to.equal(0);
    });
  });
});

async function readHealth(consumer: ConsumerProcess): Promise<Sample['health']> {
  const res = await fetch(`${consumer.url}/health`);
  const text = await res.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = undefined; // not JSON: the assertion shows the status code and an undefined body
  }
  return { code: res.status, body };
}

async function readMetrics(consumer: ConsumerProcess): Promise<string> {
  return (await fetch(`${consumer.url}/metrics`)).text();
}
