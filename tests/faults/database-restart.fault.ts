// A real MariaDB stopped (SIGTERM: a clean shutdown, as a restart or an upgrade does) and started
// again 20 s later, with 500 events in flight and live-stream viewers connected. The server is a
// private mariadbd with its own port and data directory under the system's temporary folder, so
// the machine's MariaDB and everyone else's tests are never disturbed. The API must answer 503
// DATABASE_UNAVAILABLE with Retry-After (never a 500, never a hang), the relay pause with backoff,
// the consumers hold off on their circuit (no retry spent), and the run end with every task
// completed and every viewer shown every final state.
import { expect } from 'chai';
import { DatabaseOutageRun, type OutageReport } from './lib/database-outage.js';
import { PrivateMariaDb } from './lib/private-mariadb.js';
import { FaultWorld, describeState, summarize } from './lib/world.js';

const EVENTS = 500;
const OUTAGE_MS = 20_000;

describe('when a private MariaDB is stopped for 20 s under a 500-event run with viewers watching', function () {
  this.timeout(8 * 60_000);

  let mariadb: PrivateMariaDb;
  let world: FaultWorld;
  let outage: DatabaseOutageRun;
  let report: OutageReport;

  before(async function () {
    mariadb = await PrivateMariaDb.create();
    world = await withEnv(mariadb.env, () => FaultWorld.open('db_restart'));
    let stoppedFor = 0;
    outage = new DatabaseOutageRun(
      world,
      {
        backendDb: mariadb.env,
        down: async () => {
          const t0 = performance.now();
          await mariadb.stop();
          stoppedFor = Math.round(performance.now() - t0);
        },
        up: () => mariadb.start(),
      },
      {
        events: EVENTS,
        outageMs: OUTAGE_MS,
        viewers: 3,
        consumers: 2,
        consumer: { PROCESSING_DELAY_MS: 500, PREFETCH: 10, MAX_RETRIES: 3, RETRY_DELAY_MS: 1000 },
      },
    );
    report = await outage.run();
    console.log([`    mariadbd shut down in ${stoppedFor} ms`, ...report.lines].join('\n'));
  });

  after(async () => {
    await outage?.close();
    await world?.close();
    await mariadb?.destroy();
  });

  it('then the API answered 503 DATABASE_UNAVAILABLE with Retry-After, never a 500 and never a hang', () => {
    const { answers } = report;
    expect(answers.unavailable, 'answers 503 + Retry-After').to.be.greaterThan(0);
    expect(
      { serverErrors: answers.serverErrors, otherUnavailable: answers.otherUnavailable },
      'other 5xx answers',
    ).to.deep.equal({ serverErrors: 0, otherUnavailable: 0 });
    expect(answers.noAnswer, 'requests left without an answer').to.equal(0);
  });

  it('then /ready said the database was down', () => {
    expect(report.readyDuring).to.deep.equal({ status: 503, database: 'down' });
  });

  it('then the relay paused with backoff instead of spinning', () => {
    expect(report.relayPauses, 'relay pauses').to.be.within(1, 20);
  });

  it('then every task ends completed, none failed, each at its first attempt', () => {
    const { state } = report.end;
    expect(
      summarize(state.tasks),
      `run ${report.end.outcome}; ${describeState(state)}`,
    ).to.deep.equal({ pending: 0, processing: 0, completed: state.tasks.length, failed: 0 });
    expect(state.tasks.length).to.be.at.least(report.games.created);
    const retried = state.tasks.filter((t) => t.attempts > 1).map((t) => t.messageId);
    expect(retried, 'tasks that spent x-retry-count on the outage').to.deep.equal([]);
  });

  it("then each game's final state is right: one completed task per game", () => {
    expect(report.games.inDatabase, 'games').to.equal(report.end.state.tasks.length);
    expect(report.games.notCompleted, 'games not completed').to.equal(0);
  });

  it('then nothing was parked and the outbox and queues are drained', () => {
    const { state } = report.end;
    expect({
      dlq: state.dlq,
      main: state.main,
      retry: state.retry,
      outbox: state.unpublished,
    }).to.deep.equal({ dlq: 0, main: 0, retry: 0, outbox: 0 });
  });

  it('then every viewer saw every final state, and no task going backwards', () => {
    expect(report.viewersMissing, 'tasks whose final state a viewer missed').to.deep.equal(
      report.viewersMissing.map(() => 0),
    );
    expect(report.viewerRegressions, 'states shown out of order').to.equal(0);
  });
});

/** Runs `fn` with `env` in the process environment (the test kit reads DB_* from there). */
async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
