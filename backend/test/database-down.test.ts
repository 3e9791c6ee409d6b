import { TcpProxy, metricValue, validGame, waitFor } from '@retro/common/testing';
import { testDbAccount } from '@retro/database/testing';
import { expect } from 'chai';
import type { RowDataPacket } from 'mysql2/promise';
import { startTestEnv, type TestEnv } from './helpers.js';

describe('backend: the database away', function () {
  this.timeout(60_000);
  let env: TestEnv;
  let proxy: TcpProxy;
  /** A stream position from before a change the viewer then missed. */
  let missedFrom: string;
  let missedTask: string;

  before(async () => {
    const account = testDbAccount();
    proxy = new TcpProxy(account.host, account.port);
    const port = await proxy.start();
    env = await startTestEnv('backend_db_down', {
      relayPollIntervalMs: 50,
      config: { DB_HOST: '127.0.0.1', DB_PORT: port },
    });
    const opening = await readStream(env.backend.url, undefined, () => true);
    missedFrom = /^id: (.+)$/m.exec(opening.text)![1]!;
    const created = await env.api('/api/games', { method: 'POST', body: validGame() });
    expect(created.status).to.equal(201);
    const [[task]] = await env.sql.query<RowDataPacket[]>(
      'SELECT message_id FROM processing_tasks WHERE game_id = ?',
      [created.body.id],
    );
    missedTask = task!.message_id;
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

  it('then a viewer coming back with Last-Event-ID has its stream ended, not a reload it could not serve', async () => {
    const during = await readStream(env.backend.url, missedFrom, () => false);
    expect(during.ended, 'stream ended').to.equal(true);
    expect(during.text).to.not.include('event: reload');
    expect(during.text).to.not.include(missedTask);
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

  it('then that viewer, coming back with the same Last-Event-ID, is sent the change it missed', async () => {
    const after = await readStream(env.backend.url, missedFrom, (text) =>
      text.includes(missedTask),
    );
    expect(after.text).to.include(missedTask);
  });
});

/**
 * Reads `GET /api/tasks/stream` (as a browser's EventSource, with `lastEventId`) until `enough`
 * says so after the opening frames, the server ends it, or 5 s pass.
 */
async function readStream(
  baseUrl: string,
  lastEventId: string | undefined,
  enough: (text: string) => boolean,
): Promise<{ text: string; ended: boolean }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5000);
  const headers: Record<string, string> = lastEventId ? { 'last-event-id': lastEventId } : {};
  let text = '';
  let ended = false;
  try {
    const res = await fetch(`${baseUrl}/api/tasks/stream`, { headers, signal: controller.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      text += decoder.decode(value);
      // a new viewer's first id comes after the opening; a returning one has its own
      if ((lastEventId || /^id: /m.test(text)) && enough(text)) break;
    }
  } catch {
    // aborted after 5 s: `ended` stays false
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { text, ended };
}
