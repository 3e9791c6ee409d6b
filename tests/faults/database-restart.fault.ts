// A real MariaDB stopped (SIGTERM: a clean shutdown, as a restart or an upgrade does) and started
// again 20 s later, with 500 events in flight and live-stream viewers connected. The server is a
// private mariadbd with its own port and data directory under the system's temporary folder, so
// the machine's MariaDB and everyone else's tests are never disturbed. The API must answer 503
// DATABASE_UNAVAILABLE with Retry-After (never a 500, never a hang), the relay pause with backoff,
// the consumers hold off on their circuit (no retry spent), and the run end with every task
// completed and every viewer shown every final state.
import {
  DatabaseOutageRun,
  expectOutageOutcome,
  type OutageReport,
} from './lib/database-outage.js';
import { PrivateMariaDb } from './lib/private-mariadb.js';
import { FaultWorld } from './lib/world.js';

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

  expectOutageOutcome(() => report);
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
