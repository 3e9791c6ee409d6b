// The backend killed with SIGKILL for 30 s in the middle of a 200-event run, with the consumer at
// its default settings. A consumer that cannot report a status must hold off (open its circuit,
// hand its deliveries back, probe /ready) instead of spending retries: at the defaults three
// retries last about 7 s, far less than an outage of a backend being redeployed, so a consumer
// that retries would park most of the run for nothing.
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { createGames } from './lib/catalog.js';
import { FAULT_TOKEN } from './lib/services.js';
import { FaultWorld, describeState, summarize, type Settled } from './lib/world.js';

const EVENTS = 200;
const OUTAGE_MS = 30_000;
/** The consumer's defaults, spelled out so the scenario does not change when they do. */
const CONSUMER_SETTINGS = {
  PROCESSING_DELAY_MS: 2000,
  PREFETCH: 20,
  MAX_RETRIES: 3,
  RETRY_DELAY_MS: 1000,
};

describe('when the backend is killed for 30 s in the middle of a 200-event run', function () {
  this.timeout(5 * 60_000);

  let world: FaultWorld;
  let end: Settled;

  before(async function () {
    world = await FaultWorld.open('backend_restart');
    const backend = await world.backendProcess();
    const fleet = world.consumers({
      ...CONSUMER_SETTINGS,
      BACKEND_URL: backend.url,
      INTERNAL_API_TOKEN: FAULT_TOKEN,
      LOG_LEVEL: 'error',
    });
    await fleet.spawn();

    const started = performance.now();
    const since = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
    await createGames(backend, EVENTS);
    const createdAt = since();
    // the scenario itself, not a wait for state: the kill lands while the run is in full swing
    await sleep(1000);
    await backend.kill();
    const killedAt = since();
    const atKill = summarize(await world.tasks());
    await sleep(OUTAGE_MS);
    const atRestart = await world.state();
    await backend.start();
    const restartedAt = since();
    end = await world.settle({ tasks: EVENTS, timeoutMs: 180_000 });

    console.log(
      [
        '',
        `    ${EVENTS} games created after ${createdAt}; backend killed at ${killedAt} with ${atKill.completed} tasks completed`,
        `    backend back at ${restartedAt}; while it was away: ${describeState(atRestart)}`,
        `    run ${end.outcome} ${end.seconds} s after the restart, ${since()} in all`,
        `    at the end: ${describeState(end.state)}`,
        '',
      ].join('\n'),
    );
  });

  after(() => world?.close());

  it('then every task ends completed and none is left pending, processing or failed', () => {
    const counts = summarize(end.state.tasks);
    expect(counts, `run ${end.outcome}; ${describeState(end.state)}`).to.deep.equal({
      pending: 0,
      processing: 0,
      completed: EVENTS,
      failed: 0,
    });
  });

  it('then nothing was parked because the backend was down', () => {
    expect(end.state.dlq, `parked in the DLQ; ${describeState(end.state)}`).to.equal(0);
  });

  it('then the outage cost no message a retry (each task completed at its first attempt)', () => {
    const retried = end.state.tasks.filter((t) => t.attempts > 1);
    expect(
      retried.map((t) => `${t.messageId}: ${t.status} after ${t.attempts} attempts`),
      'tasks that spent x-retry-count on the outage',
    ).to.deep.equal([]);
  });

  it('then the main and retry queues are empty', () => {
    expect(
      { main: end.state.main, retry: end.state.retry },
      describeState(end.state),
    ).to.deep.equal({ main: 0, retry: 0 });
  });
});
