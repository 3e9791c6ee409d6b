import { expect } from 'chai';
import http from 'node:http';
import { rm } from 'node:fs/promises';
import { closeServer, createLogger } from '@retro/common';
import { startFrontendServer, type FrontendServer } from '../server/src/index.js';
import { Upstream, tempBuild } from './upstream.js';

describe('frontend server: caching, the producer page and the links', () => {
  let upstream: Upstream;
  let frontend: FrontendServer;
  let tempDir: string;
  let base: string;

  before(async () => {
    tempDir = await tempBuild('retro-frontend-cache-', {
      'index.html': '<h1>catalog</h1>',
      'producer/index.html': '<h1>producer</h1>',
      'assets/app-1234.js': 'export {};',
    });
    upstream = new Upstream();
    await upstream.start();
    frontend = await startFrontendServer({
      port: 0,
      host: '127.0.0.1',
      backendUrl: `http://127.0.0.1:${upstream.port}`,
      distDir: tempDir,
      links: { producerUrl: 'https://producer.example/', producerPort: 3001 },
      logger: createLogger('frontend-test', 'error'),
    });
    base = `http://127.0.0.1:${frontend.port}`;
  });

  after(async () => {
    await frontend.stop();
    await closeServer(upstream.server, 100);
    await rm(tempDir, { recursive: true, force: true });
  });

  for (const [what, path] of [
    ['a page', '/'],
    ['a hashed asset', '/assets/app-1234.js'],
  ]) {
    it(`answers a revalidation of ${what} with 304 when its ETag still matches`, async () => {
      const first = await fetch(`${base}${path}`);
      const etag = first.headers.get('etag');
      expect(etag, path).to.be.a('string');
      // as a browser revalidates (fetch() would add Cache-Control: no-cache and so refuse a 304)
      const status = await new Promise<number>((resolve, reject) => {
        http
          .get(`${base}${path}`, { headers: { 'If-None-Match': etag! } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject);
      });
      expect(status, path).to.equal(304);
    });
  }

  it('marks hashed assets immutable for a year and pages no-cache', async () => {
    const asset = await fetch(`${base}/assets/app-1234.js`);
    expect(asset.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable');
    expect((await fetch(`${base}/processing-gone`)).headers.get('cache-control')).to.equal(
      'no-cache',
    );
  });

  it("never serves the producer's page, which only works on the producer service", async () => {
    for (const path of ['/producer/', '/producer/index.html', '/Producer/index.html']) {
      const res = await fetch(`${base}${path}`);
      expect(await res.text(), path).to.include('catalog');
    }
  });

  it('tells the pages where the producer page and the RabbitMQ UI are', async () => {
    const res = await fetch(`${base}/app-config.json`);
    expect(res.headers.get('cache-control')).to.equal('no-cache');
    expect(await res.json()).to.deep.equal({
      producerUrl: 'https://producer.example/',
      producerPort: 3001,
      rabbitmqManagementUrl: null,
    });
    expect(upstream.seen).to.deep.equal([]);
  });
});
