// The database cut off for 20 s through a TCP proxy the test controls (every connection dropped,
// new ones refused) between the backend and MariaDB, with 500 events in flight and live-stream
// viewers connected. Nothing else is touched: the machine's MariaDB keeps running for everyone
// else. The API must answer 503 DATABASE_UNAVAILABLE with Retry-After (never a 500, never a hang),
// the relay pause with backoff, the consumers hold off on their circuit (no retry spent), and
// the run end with every task completed and every viewer shown every final state.
import { TcpProxy } from '@retro/common/testing';
import { testDbAccount } from '@retro/database/testing';
import {
  DatabaseOutageRun,
  expectOutageOutcome,
  type OutageReport,
} from './lib/database-outage.js';
import { FaultWorld } from './lib/world.js';

const EVENTS = 500;
const OUTAGE_MS = 20_000;

describe('when the database is cut off for 20 s under a 500-event run with viewers watching', function () {
  this.timeout(8 * 60_000);

  let world: FaultWorld;
  let proxy: TcpProxy;
  let outage: DatabaseOutageRun;
  let report: OutageReport;

  before(async function () {
    world = await FaultWorld.open('db_cut');
    const account = testDbAccount();
    proxy = new TcpProxy(account.host, account.port);
    const port = await proxy.start();
    outage = new DatabaseOutageRun(
      world,
      {
        backendDb: { DB_HOST: '127.0.0.1', DB_PORT: String(port) },
        down: async () => proxy.disconnect(),
        up: async () => proxy.restore(),
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
    console.log(report.lines.join('\n'));
  });

  after(async () => {
    await outage?.close();
    await proxy?.stop();
    await world?.close();
  });

  expectOutageOutcome(() => report);
});
