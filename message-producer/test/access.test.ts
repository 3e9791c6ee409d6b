import type { Role } from '@retro/common';
import {
  TEST_METRICS_TOKEN,
  TEST_PASSWORD,
  registeredRoutes,
  sessionCookieHeader,
} from '@retro/common/testing';
import { expect } from 'chai';
import { PRODUCER_ROUTES, producerAccess } from '../src/entry-points/access-table.js';
import { type ProducerTestEnv, clearArchive, startProducerTestEnv } from './helpers.js';
import { park, poisonMessages } from './parking.js';

/** A path of the route with each `:param` filled in. */
const sample = (path: string) => path.replace(/:[A-Za-z]+/g, '1');

describe('message producer: who may call what', function () {
  this.timeout(60_000);
  let h: ProducerTestEnv;

  before(async () => {
    h = await startProducerTestEnv('producer_access');
  });
  after(async () => h?.cleanup());

  it('when the app registers a route, then the route table has its own rule for it, and every rule is a route', () => {
    const routes = registeredRoutes(h.producer.app).map((route) => {
      const [method, path] = route.split(' ') as [string, string];
      return { method, path };
    });
    const unlisted = routes.filter(({ method, path }) => {
      const rule = producerAccess.match(method, sample(path));
      if (!rule) return true;
      // a wildcard rule may cover a mount (/api/docs/*); any other rule must be the route's own
      return rule.path.endsWith('/*')
        ? !`${path}/`.startsWith(rule.path.slice(0, -1))
        : rule.path !== path;
    });
    expect(unlisted, 'registered routes without a rule of their own').to.deep.equal([]);
    const registered = new Set(routes.map(({ method, path }) => `${method} ${path}`));
    const stale = PRODUCER_ROUTES.filter(
      (rule) => !rule.path.endsWith('/*') && !registered.has(`${rule.method} ${rule.path}`),
    );
    expect(
      stale.map((r) => `${r.method} ${r.path}`),
      'rules without a route',
    ).to.deep.equal([]);
  });

  /** Status of one call per role (anonymous included), in ROLES order after anonymous. */
  async function statuses(method: string, path: string, body?: unknown) {
    const callers = [h.anonymous, ...(['viewer', 'editor', 'tester'] as Role[]).map(h.as)];
    const answers: number[] = [];
    for (const call of callers) answers.push((await call(path, { method, body })).status);
    return answers;
  }

  it('when HOST is not set, then it listens on this machine only', () => {
    expect(h.producer.address).to.equal('127.0.0.1');
  });

  it('when anyone calls /health, /ready and the page, then they answer without a sign-in', async () => {
    for (const path of ['/health', '/ready']) {
      expect((await h.anonymous(path)).status, path).to.equal(200);
    }
    for (const path of ['/', '/index.html', '/assets/nothing-here.js']) {
      expect((await h.anonymous(path)).status, path).not.to.be.oneOf([401, 403]);
    }
  });

  it('when a publish is asked for, then anonymous callers get 401, viewers and editors 403, testers 201', async () => {
    const publishes: [string, unknown][] = [
      ['/api/messages/custom', { message: 'who may' }],
      ['/api/messages/game-event', { gameId: 1, action: 'process' }],
      ['/api/messages/raw', { body: { any: 'thing' } }],
    ];
    for (const [path, body] of publishes) {
      expect(await statuses('POST', path, body), path).to.deep.equal([401, 403, 403, 201]);
    }
    const bulk = { kind: 'custom', count: 2, payload: { message: 'bulk' } };
    expect(await statuses('POST', '/api/messages/bulk', bulk)).to.deep.equal([401, 403, 403, 202]);
    await h.probe.drain(h.queues.main);
  });

  it('when queue stats and dead-letter reads are asked for, then testers may, viewers may not', async () => {
    const reads = [
      '/api/queues',
      '/api/dlq',
      '/api/dead-letters',
      '/api/dead-letters/groups',
      '/api/dead-letters/export',
      '/api/dead-letters/audit',
      '/api/dead-letters/replays',
      '/api/messages/bulk/no-such-job', // 404 once allowed
    ];
    for (const path of reads) {
      const [anonymous, viewer, editor, tester] = await statuses('GET', path);
      expect([anonymous, viewer, editor], path).to.deep.equal([401, 403, 403]);
      expect(tester, path).to.be.oneOf([200, 404]);
    }
    for (const path of ['/api/info', '/api/templates', '/api/openapi.json', '/api/docs']) {
      expect(await statuses('GET', path), path).to.deep.equal([200, 200, 200, 200]);
    }
  });

  it('when a tester replays, edits, deletes, restores or cancels, then it is refused with 403; an operator may', async () => {
    await clearArchive(h.db);
    await park(h.queues.dlq, poisonMessages(3));
    await h.archived(3);
    const [first] = (await h.get('/api/dead-letters?limit=1')).body;
    const id = first.id as number;
    const changes: [string, string, unknown?][] = [
      ['POST', '/api/dead-letters/replays', { ids: [id] }],
      ['POST', '/api/dead-letters/replays/no-such-job/cancel', {}],
      ['POST', `/api/dead-letters/${id}/edit-and-replay`, { body: { fixed: true } }],
      ['POST', '/api/dead-letters/delete', { ids: [id] }],
      ['DELETE', `/api/dead-letters/${id}`],
      ['POST', '/api/dead-letters/restore', { ids: [id] }],
      ['POST', '/api/dlq/replay', { all: true }],
      ['GET', '/api/dead-letters/deleted'],
    ];
    const tester = h.as('tester');
    for (const [method, path, body] of changes) {
      const res = await tester(path, { method, body });
      expect(res.status, `${method} ${path}`).to.equal(403);
      expect(res.body.error.message).to.contain('operator');
    }
    expect((await h.request('GET', '/api/dead-letters')).headers.get('x-total-count')).to.equal(
      '3',
    );

    const operator = h.as('operator');
    expect((await operator(`/api/dead-letters/${id}`, { method: 'DELETE' })).status).to.equal(204);
    expect((await operator('/api/dead-letters/deleted')).status).to.equal(200);
    const restored = await operator('/api/dead-letters/restore', {
      method: 'POST',
      body: { ids: [id] },
    });
    expect(restored.status).to.equal(200);
    expect(restored.body.restored).to.equal(1);
  });

  it('when /metrics is read, then only the metrics token or an operator may', async () => {
    expect(await statuses('GET', '/metrics')).to.deep.equal([401, 403, 403, 403]);
    expect((await h.as('operator')('/metrics')).status).to.equal(200);
    expect((await h.anonymous('/metrics', { token: TEST_METRICS_TOKEN })).status).to.equal(200);
    // the scraper's token reads metrics, nothing else
    expect((await h.anonymous('/api/queues', { token: TEST_METRICS_TOKEN })).status).to.equal(401);
    expect((await h.anonymous('/api/queues', { token: 'rgc_not-a-token' })).status).to.equal(401);
  });

  it('when a tester signs in on the producer, then the session cookie publishes, but not from another site', async () => {
    const signIn = await h.anonymous('/api/session', {
      method: 'POST',
      body: { username: 'test-tester', password: TEST_PASSWORD },
    });
    expect(signIn.status).to.equal(200);
    expect(signIn.body).to.deep.equal({ username: 'test-tester', role: 'tester' });
    const cookie = signIn.headers
      .getSetCookie()
      .find((c) => c.startsWith('retro_session='))!
      .split(';')[0]!;
    const session = cookie.slice('retro_session='.length);

    const who = await h.anonymous('/api/session', {
      headers: { cookie: sessionCookieHeader(session) },
    });
    const published = await h.anonymous('/api/messages/custom', {
      method: 'POST',
      body: { message: 'from a browser' },
      headers: { cookie, origin: h.producer.url },
    });
    const forged = await h.anonymous('/api/messages/custom', {
      method: 'POST',
      body: { message: 'from elsewhere' },
      headers: { cookie, origin: 'http://evil.example' },
    });

    expect(who.body).to.deep.equal({ username: 'test-tester', role: 'tester' });
    expect(published.status).to.equal(201);
    expect(forged.status).to.equal(403);
    const sent = await h.probe.drain(h.queues.main);
    expect(sent.map((m) => m.properties.messageId)).to.deep.equal([published.body.messageId]);
  });
});

describe('message producer: with AUTH_ANONYMOUS_ROLE=none', function () {
  this.timeout(60_000);
  let h: ProducerTestEnv;

  before(async () => {
    h = await startProducerTestEnv(
      'producer_access_none',
      { config: { AUTH_ANONYMOUS_ROLE: 'none' } },
      { waitForBroker: false, role: 'viewer' },
    );
  });
  after(async () => h?.cleanup());

  it('when an anonymous caller reads, then only the probes, the page and sign-in answer; a viewer reads as before', async () => {
    expect((await h.anonymous('/api/info')).status).to.equal(401);
    expect((await h.anonymous('/api/templates')).status).to.equal(401);
    expect((await h.anonymous('/health')).status).to.equal(200);
    expect((await h.anonymous('/')).status).not.to.be.oneOf([401, 403]);
    expect((await h.anonymous('/api/session')).status).to.equal(401); // "not signed in"
    expect((await h.api('/api/info')).status).to.equal(200);
    expect((await h.api('/api/templates')).status).to.equal(200);
  });
});
