import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { listen } from '@retro/common';

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
