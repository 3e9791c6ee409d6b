// frontend/nginx.conf run for real with Debian's nginx, serving the real Vite build in front of a
// stub backend: what a browser gets from the frontend container.
import { request, type ClientRequest } from 'node:http';
import { type Reply, send } from './lib/raw-http.js';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { configSchema } from '@retro/common';
import { freePort, waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import { ATTEMPTS } from '../../frontend/test/internal-route-attempts.js';
import { LocalNginx, localConfig, requireNginx } from './lib/nginx.js';
import { ROOT, exists, readText } from './lib/repo.js';
import { StubBackend } from './lib/stub-backend.js';

const DIST = join(ROOT, 'frontend/dist');

/**
 * Attempts nginx answers itself, never reaching a location of ours: it refuses a malformed escape
 * and an encoded NUL as bad requests, and a raw backslash keeps the path outside /api/ (a page,
 * which takes no PUT).
 */
const NGINX_OWN_ANSWERS: Record<string, number> = {
  '/api/%E0%A4%A': 400,
  '/api/games/1/process-complete%00': 400,
  '/api\\internal/tasks/abc/status': 405,
};

describe('frontend nginx config (Debian nginx, real frontend build, stub backend)', () => {
  let nginx: LocalNginx;
  let backend: StubBackend;
  let port: number;

  before(async function () {
    requireNginx(this);
    if (!exists('frontend/dist/index.html')) {
      throw new Error('frontend/dist is missing: run `npm run build -w @retro/frontend` first');
    }
    backend = new StubBackend();
    await backend.start();
    port = await freePort();
    nginx = new LocalNginx(port);
    nginx.write(
      localConfig(readText('frontend/nginx.conf'), {
        port,
        backendPort: backend.port,
        htmlDir: DIST,
        prefix: nginx.prefix,
        apiReadTimeout: '1s',
      }),
    );
  });

  after(async () => {
    await nginx?.stop();
    await backend?.stop();
  });

  it('passes `nginx -t`', () => {
    const { status, output } = nginx.test();
    expect(status, output).to.equal(0);
    expect(output).to.include('syntax is ok');
  });

  it('serves the catalog page and the processing page, revalidated on every load', async () => {
    await nginx.start();
    for (const [path, file] of [
      ['/', 'index.html'],
      ['/processing.html', 'processing.html'],
      ['/processing', 'processing.html'],
    ] as const) {
      const res = await send(port, 'GET', path);
      expect(res.status, path).to.equal(200);
      expect(res.headers['content-type'], path).to.match(/^text\/html/);
      expect(res.headers['cache-control'], path).to.equal('no-cache');
      expect(res.headers['x-content-type-options'], path).to.equal('nosniff');
      expect(res.headers['content-security-policy'], path).to.include("default-src 'self'");
      expect(res.headers['content-security-policy'], path).to.not.include('unsafe-inline');
      expect(res.body.toString(), path).to.equal(readFileSync(join(DIST, file), 'utf8'));
    }
  });

  it('serves hashed assets gzip-compressed and cacheable for a year', async () => {
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(
      readFileSync(join(DIST, 'index.html'), 'utf8'),
    );
    expect(script, 'index.html loads a hashed script').to.not.equal(null);
    const path = script![1]!;
    const res = await send(port, 'GET', path, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(res.status).to.equal(200);
    expect(res.headers['content-encoding']).to.equal('gzip');
    expect(res.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
    expect(gunzipSync(res.body).toString()).to.equal(readFileSync(join(DIST, path), 'utf8'));
    const css = readdirSync(join(DIST, 'assets')).find((f) => f.endsWith('.css'));
    if (css) {
      const style = await send(port, 'GET', `/assets/${css}`);
      expect(style.headers['content-type']).to.match(/^text\/css/);
    }
  });

  it('falls back to the catalog page for unknown pages, but answers 404 for a missing asset', async () => {
    const page = await send(port, 'GET', '/games/42');
    expect(page.status).to.equal(200);
    expect(page.body.toString()).to.equal(readFileSync(join(DIST, 'index.html'), 'utf8'));
    const asset = await send(port, 'GET', '/assets/missing-0000.js');
    expect(asset.status).to.equal(404);
  });

  it('proxies /api/ to the backend with method, path, query, body and forwarding headers', async () => {
    const body = JSON.stringify({ title: 'Tetris' });
    const res = await send(port, 'POST', '/api/games?search=te%20tris&limit=5', {
      headers: {
        'Content-Type': 'application/json',
        'X-Request-Id': 'req-123',
        'X-Forwarded-For': '203.0.113.9',
      },
      body,
    });
    expect(res.status).to.equal(201);
    expect(res.headers['x-total-count']).to.equal('1');
    const seen = backend.seen.at(-1)!;
    expect(seen).to.include({ method: 'POST', url: '/api/games?search=te%20tris&limit=5', body });
    // the address that connected, replacing what the client claimed
    expect(seen.headers['x-forwarded-for']).to.equal('127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).to.equal('http');
    expect(seen.headers['x-request-id']).to.equal('req-123');
    expect(seen.headers.host).to.equal('127.0.0.1');
    // with the port: the backend's Origin check compares host and port
    expect(seen.headers['x-forwarded-host']).to.equal(`127.0.0.1:${port}`);

    await send(port, 'GET', '/api/games');
    expect(
      backend.seen.at(-1)!.headers['x-request-id'],
      'an id is made up when none is sent',
    ).to.match(/^[0-9a-f]{32}$/);
  });

  it('streams task events as the backend writes them, uncompressed, past the API read timeout', async () => {
    const received: string[] = [];
    let headers: Reply['headers'] = {};
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/api/tasks/stream',
      headers: { Accept: 'text/event-stream', 'Accept-Encoding': 'gzip' },
    });
    req.on('response', (res) => {
      headers = res.headers;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => received.push(chunk));
    });
    req.on('error', () => {});
    req.end();
    try {
      await waitFor('the stream to open at the backend', () => backend.openStreams === 1);
      const event = async (n: number) => {
        backend.send('task', { n });
        await waitFor(`event ${n} through nginx`, () =>
          received.join('').includes(`data: {"n":${n}}`),
        );
      };
      await event(1);
      // An ordinary API call that hangs is cut off after the (here shortened) read timeout...
      const slow = await send(port, 'GET', '/api/slow');
      expect(slow.status).to.equal(503);
      // ...while the quiet stream outlives it and still delivers.
      await event(2);
      expect(headers['content-type']).to.equal('text/event-stream');
      expect(headers['content-encoding']).to.equal(undefined);
    } finally {
      req.destroy();
    }
    await waitFor('nginx to close the backend stream', () => backend.openStreams === 0);
  });

  it('refuses a client more live streams than the backend allows one client, in the API error shape', async () => {
    const perClient = configSchema.STREAM_MAX_PER_CLIENT.parse(undefined);
    const open = (n: number) =>
      new Promise<{ status: number; body: string; req: ClientRequest }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/api/tasks/stream' }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => {
            body += chunk.toString();
            if (res.statusCode === 200) resolve({ status: 200, body, req });
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, req }));
        });
        req.on('error', n === 0 ? () => undefined : reject);
        req.end();
      });
    const streams = [];
    try {
      for (let i = 0; i < perClient; i += 1) streams.push(await open(i));
      expect(streams.map((s) => s.status)).to.deep.equal(streams.map(() => 200));
      const refused = await open(perClient);
      expect(refused.status).to.equal(429);
      expect(JSON.parse(refused.body).error).to.deep.include({ code: 'TOO_MANY_STREAMS' });
      expect(backend.openStreams, 'the refused one never reached the backend').to.equal(perClient);
      streams.shift()!.req.destroy();
      await waitFor('the slot to be free', async () => {
        const again = await open(perClient);
        streams.push(again);
        return again.status === 200;
      });
    } finally {
      for (const stream of streams) stream.req.destroy();
    }
    await waitFor('nginx to close the backend streams', () => backend.openStreams === 0);
  });

  it('keeps the internal status endpoints unreachable, however the path is spelled', async () => {
    const before = backend.seen.length;
    for (const [what, path] of ATTEMPTS) {
      const res = await send(port, 'PUT', path, {
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer guess' },
        body: '{"status":"completed"}',
      });
      const answer = NGINX_OWN_ANSWERS[path];
      expect(res.status, `${what}: ${path}`).to.equal(answer ?? 404);
      if (answer === undefined) {
        expect(JSON.parse(res.body.toString()), path).to.deep.include({
          error: { code: 'NOT_FOUND', message: 'Route not found', details: [] },
        });
      }
    }
    expect(backend.seen.slice(before).map((r) => r.url)).to.deep.equal([]);
  });

  it('tells the pages where the producer page and the RabbitMQ UI are, revalidated', async () => {
    const res = await send(port, 'GET', '/app-config.json');
    expect(res.headers['cache-control']).to.equal('no-cache');
    expect(JSON.parse(res.body.toString())).to.deep.equal({
      producerUrl: null,
      producerPort: 3001,
      rabbitmqManagementUrl: null,
    });
  });

  it('answers in the API error shape while the backend is down, and stays healthy itself', async () => {
    await backend.stop();
    const res = await send(port, 'GET', '/api/games');
    expect(res.status).to.equal(503);
    expect(JSON.parse(res.body.toString()).error.code).to.equal('SERVICE_UNAVAILABLE');
    const health = await send(port, 'GET', '/healthz');
    expect(health.status).to.equal(200);
    expect((await send(port, 'GET', '/health')).status).to.equal(200);
  });
});
