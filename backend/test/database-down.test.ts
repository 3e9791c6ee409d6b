import { TcpProxy, metricValue, validGame, waitFor } from '@retro/common/testing';
import { testDbAccount } from '@retro/database/testing';
import { expect } from 'chai';
import { startTestEnv, type TestEnv } from './helpers.js';

describe('backend: the database away', function () {
  this.timeout(60_000);
  let env: TestEnv;
  let proxy: TcpProxy;

  before(async () => {
    const account = testDbAccount();
    proxy = new TcpProxy(account.host, account.port);
    const port = await proxy.start();
    env = await startTestEnv('backend_db_down', {
      relayPollIntervalMs: 50,
      config: { DB_HOST: '127.0.0.1', DB_PORT: port },
    });
    expect((await env.api('/api/games?limit=1')).status).to.equal(200);
    proxy.disconnect();
  });

  after(async () => {
    proxy?.restore();
    await env?.cleanup();
    await proxy?.stop();
  });

  for (const [method, path] of [
    ['GET', '/api/games?limit=5'],
    ['POST', '/api/games'],
    ['GET', '/api/tasks?limit=5'],
    ['GET', '/api/platforms'],
  ] as const) {
    it(`when its connections are cut, then ${method} ${path} answers 503 DATABASE_UNAVAILABLE with Retry-After at once`, async () => {
      const started = performance.now();
      const res = await env.api(path, {
        method,
        body: method === 'POST' ? validGame() : undefined,
      });
      expect(res.status).to.equal(503);
      expect(res.body.error.code).to.equal('DATABASE_UNAVAILABLE');
      expect(Number(res.headers.get('retry-after'))).to.be.greaterThan(0);
      expect(performance.now() - started).to.be.below(5000);
    });
  }

  it('then /ready names the database as down, and /metrics still answers', async () => {
    const ready = await env.anonymous('/ready');
    expect(ready.status).to.equal(503);
    expect(ready.body).to.include({ database: 'down' });
    const text = await env.metrics();
    expect(text).to.include('outbox_backlog');
  });

  it('then the relay pauses with backoff, counted with the reason', async () => {
    await waitFor(
      'a relay pause',
      async () =>
        metricValue(await env.metrics(), 'outbox_relay_pauses_total', { reason: 'database' }) > 0,
    );
    const first = metricValue(await env.metrics(), 'outbox_relay_pauses_total');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // polling every 50 ms, a relay without backoff would have failed ~40 more times
    expect(metricValue(await env.metrics(), 'outbox_relay_pauses_total') - first).to.be.below(6);
  });

  it('when the database is back, then the API serves again', async () => {
    proxy.restore();
    await waitFor(
      'the API to serve again',
      async () => (await env.api('/api/games?limit=1')).status === 200,
    );
    const created = await env.api('/api/games', { method: 'POST', body: validGame() });
    expect(created.status).to.equal(201);
  });
});
