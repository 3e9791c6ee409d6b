import { expect } from 'chai';
import { relative as relativePath } from 'node:path';
import { createLogger } from '@retro/common';
import { waitFor } from '@retro/common/testing';
import { startFrontendServer } from '../server/src/index.js';
import { rawRequest, useServedBuild } from './upstream.js';

describe('frontend server', () => {
  const logger = createLogger('frontend-test', 'error');
  // a build folder with a file beside it that must stay out of reach
  const served = useServedBuild(
    {
      'secret.txt': 'secret',
      'dist/index.html': '<h1>catalog</h1>',
      'dist/processing.html': '<h1>processing</h1>',
      'dist/assets/app-1234.js': 'export {};',
    },
    { dist: 'dist' },
  );

  it('serves both pages, by file name and without the extension', async () => {
    for (const [path, text] of [
      ['/', 'catalog'],
      ['/index.html', 'catalog'],
      ['/processing.html', 'processing'],
      ['/processing', 'processing'],
    ]) {
      const res = await fetch(`${served.base}${path}`);
      expect(res.status, path).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^text\/html/);
      expect(res.headers.get('cache-control')).to.equal('no-cache');
      expect(res.headers.get('content-security-policy')).to.include("default-src 'self'");
      expect(await res.text()).to.include(text);
    }
  });

  it('caches hashed assets for good and answers 404 for a missing asset', async () => {
    const asset = await fetch(`${served.base}/assets/app-1234.js`);
    expect(asset.status).to.equal(200);
    expect(asset.headers.get('content-type')).to.match(/^text\/javascript/);
    expect(asset.headers.get('cache-control')).to.include('immutable');
    expect((await fetch(`${served.base}/assets/gone-5678.js`)).status).to.equal(404);
  });

  it('answers other unknown paths with the catalog page, as the container does', async () => {
    const res = await fetch(`${served.base}/games/12`);
    expect(res.status).to.equal(200);
    expect(await res.text()).to.include('catalog');
    expect(await (await fetch(`${served.base}/healthz`)).text()).to.equal('ok\n');
  });

  it('answers /health, /ready (is the backend up?) and /metrics like every service', async () => {
    const health = await fetch(`${served.base}/health`);
    expect(health.status).to.equal(200);
    expect(await health.json()).to.include({ status: 'ok', service: 'frontend' });
    const metrics = await (await fetch(`${served.base}/metrics`)).text();
    expect(metrics).to.include('http_request_duration_seconds');
    const ready = await fetch(`${served.base}/ready`);
    expect(ready.status).to.equal(200);
    expect(await ready.json()).to.include({ status: 'ready', backend: 'up' });
    expect(served.upstream.seen).to.include('GET /health');
  });

  it('serves a build folder given as a relative path', async () => {
    const relative = await startFrontendServer({
      port: 0,
      host: '127.0.0.1',
      backendUrl: `http://127.0.0.1:${served.upstream.port}`,
      distDir: relativePath(process.cwd(), served.distDir),
      logger,
    });
    try {
      const res = await fetch(`http://127.0.0.1:${relative.port}/processing`);
      expect(res.status).to.equal(200);
      expect(await res.text()).to.include('processing');
    } finally {
      await relative.stop();
    }
  });

  it('never serves files outside the build folder', async () => {
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
    ]) {
      const { body } = await rawRequest(served.frontend.port, 'GET', path);
      expect(body, path).not.to.include('secret');
    }
  });

  it('forwards /api requests with their method, query and body and keeps the total-count header', async () => {
    const res = await fetch(`${served.base}/api/games?search=zelda&limit=5`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '203.0.113.9' },
      body: '{"title":"Zelda"}',
    });
    expect(res.status).to.equal(200);
    expect(res.headers.get('x-total-count')).to.equal('7');
    const echoed = (await res.json()) as Record<string, string>;
    expect(echoed).to.include({
      method: 'POST',
      url: '/api/games?search=zelda&limit=5',
      body: '{"title":"Zelda"}',
    });
    // the address that connected, never what the client claimed
    expect(echoed.forwardedFor).to.equal('127.0.0.1');
  });

  // The internal routes, in every spelling: internal-routes.test.ts.

  it('passes Server-Sent Events through as soon as the backend writes them', async () => {
    const received: string[] = [];
    const controller = new AbortController();
    const res = await fetch(`${served.base}/api/tasks/stream`, { signal: controller.signal });
    expect(res.headers.get('content-type')).to.equal('text/event-stream');
    expect(res.headers.get('x-accel-buffering')).to.equal('no');
    const reader = res.body!.getReader();
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        received.push(Buffer.from(value).toString());
      }
    })().catch(() => undefined);
    await waitFor('the stream to reach the backend', () => served.upstream.streams.size === 1);
    const started = Date.now();
    for (const stream of served.upstream.streams)
      stream.write('event: task\ndata: {"messageId":"m1"}\n\n');
    await waitFor('the event to arrive', () => received.join('').includes('"m1"'), {
      timeoutMs: 2000,
    });
    expect(Date.now() - started).to.be.below(500);
    controller.abort();
    await reading;
    await waitFor(
      'the backend stream to close with the browser',
      () => served.upstream.streams.size === 0,
    );
  });

  it('listens on 127.0.0.1 unless told another interface (HOST)', async () => {
    const options = { port: 0, backendUrl: 'http://127.0.0.1:1', distDir: served.distDir, logger };
    const local = await startFrontendServer(options);
    const everywhere = await startFrontendServer({ ...options, host: '0.0.0.0' });
    try {
      expect(local.address).to.equal('127.0.0.1');
      expect(everywhere.address).to.equal('0.0.0.0');
    } finally {
      await local.stop();
      await everywhere.stop();
    }
  });

  it('answers 503 in the API error shape when the backend is down', async () => {
    const down = await startFrontendServer({
      port: 0,
      host: '127.0.0.1',
      backendUrl: 'http://127.0.0.1:1',
      distDir: served.distDir,
      logger,
    });
    try {
      const res = await fetch(`http://127.0.0.1:${down.port}/api/games`);
      expect(res.status).to.equal(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).to.equal(
        'SERVICE_UNAVAILABLE',
      );
    } finally {
      await down.stop();
    }
  });
});
