import { expect } from 'chai';
import http from 'node:http';
import { useServedBuild } from './upstream.js';

describe('frontend server: caching, the producer page and the links', () => {
  const served = useServedBuild(
    {
      'index.html': '<h1>catalog</h1>',
      'producer/index.html': '<h1>producer</h1>',
      'assets/app-1234.js': 'export {};',
    },
    { links: { producerUrl: 'https://producer.example/', producerPort: 3001 } },
  );

  for (const [what, path] of [
    ['a page', '/'],
    ['a hashed asset', '/assets/app-1234.js'],
  ]) {
    it(`answers a revalidation of ${what} with 304 when its ETag still matches`, async () => {
      const first = await fetch(`${served.base}${path}`);
      const etag = first.headers.get('etag');
      expect(etag, path).to.be.a('string');
      // as a browser revalidates (fetch() would add Cache-Control: no-cache and so refuse a 304)
      const status = await new Promise<number>((resolve, reject) => {
        http
          .get(`${served.base}${path}`, { headers: { 'If-None-Match': etag! } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject);
      });
      expect(status, path).to.equal(304);
    });
  }

  it('marks hashed assets immutable for a year and pages no-cache', async () => {
    const asset = await fetch(`${served.base}/assets/app-1234.js`);
    expect(asset.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable');
    expect((await fetch(`${served.base}/processing-gone`)).headers.get('cache-control')).to.equal(
      'no-cache',
    );
  });

  it("never serves the producer's page, which only works on the producer service", async () => {
    for (const path of ['/producer/', '/producer/index.html', '/Producer/index.html']) {
      const res = await fetch(`${served.base}${path}`);
      expect(await res.text(), path).to.include('catalog');
    }
  });

  it('tells the pages where the producer page and the RabbitMQ UI are', async () => {
    const res = await fetch(`${served.base}/app-config.json`);
    expect(res.headers.get('cache-control')).to.equal('no-cache');
    expect(await res.json()).to.deep.equal({
      producerUrl: 'https://producer.example/',
      producerPort: 3001,
      rabbitmqManagementUrl: null,
    });
    expect(served.upstream.seen).to.deep.equal([]);
  });
});
