import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { waitFor } from '@retro/common/testing';
import type mysql from 'mysql2/promise';
import { tryLease } from '../src/data-access/alert-delivery-repo.js';
import { raiseAlert } from '../src/data-access/alerts-repo.js';
import { startTestEnv, type TestEnv } from './helpers.js';

const LEASE_MS = 2000;
/** Each POST takes this long: three of them outlast the lease. */
const ANSWER_AFTER_MS = 1200;

describe('alert lease while the webhook is slow (real database)', function () {
  this.timeout(30_000);
  let env: TestEnv;
  let server: http.Server;
  const received: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        setTimeout(() => {
          received.push(String(req.headers['idempotency-key']));
          res.writeHead(200).end();
        }, ANSWER_AFTER_MS);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    env = await startTestEnv('alert_lease', {
      alerts: { tickMs: 100 },
      config: {
        ALERT_LEASE_MS: LEASE_MS,
        // one evaluation at the start, then none: the test's own alerts are what is delivered
        ALERT_EVALUATE_INTERVAL_MS: 3_600_000,
        ALERT_WEBHOOK_URL: `http://127.0.0.1:${port}/hook`,
      },
    });
  });

  after(async () => {
    await env?.cleanup();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('when one delivery round outlasts the lease, then the holder keeps it and nobody else delivers', async () => {
    await waitFor('the backend to hold the lease', async () => {
      const [[row]] = await env.sql.query<mysql.RowDataPacket[]>('SELECT holder FROM alert_lease');
      return row?.holder === env.backend.alerting.holder;
    });
    const notify = { enabled: true, linkBase: 'http://catalog.example' };
    for (const rule of ['tasks-stalled', 'dead-letters', 'outbox-stuck'] as const) {
      await raiseAlert(env.sql, rule, `test ${rule}`, notify);
    }
    // another replica asks for the lease all along, as it would every second
    const intruder = 'another-replica';
    let taken = 0;
    const started = Date.now();
    while (received.length < 3 && Date.now() - started < 15_000) {
      if (await tryLease(env.sql, intruder, LEASE_MS)) taken++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(received, 'notifications delivered').to.have.length(3);
    expect(taken, 'times the other replica got the lease').to.equal(0);
  });
});
