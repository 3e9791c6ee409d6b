import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { closeServer, createLogger, listen } from '@retro/common';
import {
  startFrontendServer,
  type FrontendServer,
  type FrontendServerOptions,
} from '../server/src/index.js';

/** A stand-in backend that records what reached it and can hold an event stream open. */
export class Upstream {
  readonly seen: string[] = [];
  readonly streams = new Set<http.ServerResponse>();
  readonly server = http.createServer((req, res) => {
    this.seen.push(`${req.method} ${req.url}`);
    if (req.url === '/api/tasks/stream') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      res.write(': connected\n\n');
      this.streams.add(res);
      req.on('close', () => this.streams.delete(res));
      return;
    }
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Total-Count': '7' });
      res.end(
        JSON.stringify({
          method: req.method,
          url: req.url,
          body,
          forwardedFor: req.headers['x-forwarded-for'],
        }),
      );
    });
  });
  port = 0;

  async start() {
    this.port = await listen(this.server, 0, '127.0.0.1');
  }
}

/** A request with the path exactly as written (fetch would resolve `.` and `..` first). */
export function rawRequest(
  port: number,
  method: string,
  path: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        headers: { Authorization: 'Bearer whatever' },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(method === 'GET' ? undefined : '{"status":"completed"}');
  });
}

/** A build folder made for a test: `files` maps paths inside it to their contents. */
export async function tempBuild(prefix: string, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

export interface ServedBuild {
  upstream: Upstream;
  frontend: FrontendServer;
  /** The temp folder `files` were written to; the server serves `dist` inside it. */
  tempDir: string;
  distDir: string;
  base: string;
}

/**
 * Registers hooks that write `files` to a temp folder and serve its `dist` (a path inside it;
 * the folder itself by default) with the frontend server in front of a stand-in upstream.
 */
export function useServedBuild(
  files: Record<string, string>,
  { dist = '.', links }: { dist?: string; links?: FrontendServerOptions['links'] } = {},
): ServedBuild {
  const served = {} as ServedBuild;
  before(async () => {
    served.tempDir = await tempBuild('retro-frontend-', files);
    served.distDir = join(served.tempDir, dist);
    served.upstream = new Upstream();
    await served.upstream.start();
    served.frontend = await startFrontendServer({
      port: 0,
      host: '127.0.0.1',
      backendUrl: `http://127.0.0.1:${served.upstream.port}`,
      distDir: served.distDir,
      links,
      logger: createLogger('frontend-test', 'error'),
    });
    served.base = `http://127.0.0.1:${served.frontend.port}`;
  });
  after(async () => {
    await served.frontend?.stop();
    for (const res of served.upstream?.streams ?? []) res.destroy();
    if (served.upstream) await closeServer(served.upstream.server, 100);
    await rm(served.tempDir, { recursive: true, force: true });
  });
  return served;
}
