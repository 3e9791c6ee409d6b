import { expect } from 'chai';
import http from 'node:http';
import { closeServer, createLogger, listen } from '@retro/common';
import { startFrontendServer, type FrontendServer } from '../server/src/index.js';
import { ATTEMPTS } from './internal-route-attempts.js';

/** Sends the request target exactly as written (fetch would normalise it first). */
function send(port: number, method: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(method === 'GET' ? undefined : '{"status":"completed"}');
  });
}

// What the backend is sent: the normalised path (the form that was checked) and the query as is.
const FORWARDED: [string, string][] = [
  ['/api//games/./1', '/api/games/1'],
  ['/api/games/x/../1/', '/api/games/1'],
  ['/api/games/%31?search=caf%C3%A9&limit=5', '/api/games/1?search=caf%C3%A9&limit=5'],
  ['/api/tasks/evt:1#fragment', '/api/tasks/evt%3A1'],
  ['/API/Games?sort=title', '/API/Games?sort=title'],
];

describe('frontend server: internal routes', () => {
  const seen: string[] = [];
  const upstream = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
  });
  let frontend: FrontendServer;

  before(async () => {
    const port = await listen(upstream, 0, '127.0.0.1');
    frontend = await startFrontendServer({
      port: 0,
      host: '127.0.0.1',
      backendUrl: `http://127.0.0.1:${port}`,
      logger: createLogger('frontend-test', 'error'),
    });
  });
  after(async () => {
    await frontend.stop();
    await closeServer(upstream, 100);
  });

  for (const [what, path] of ATTEMPTS) {
    it(`refuses ${what} (${path}) with 404, without contacting the backend`, async () => {
      const before = seen.length;
      expect(await send(frontend.port, 'PUT', path)).to.equal(404);
      expect(seen.slice(before)).to.deep.equal([]);
    });
  }

  for (const [sent, forwarded] of FORWARDED) {
    it(`forwards ${sent} as ${forwarded}`, async () => {
      expect(await send(frontend.port, 'GET', sent)).to.equal(200);
      expect(seen.at(-1)).to.equal(forwarded);
    });
  }
});
