// A stand-in for the backend behind nginx: records what reaches it and streams events on demand.
import {
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
  createServer,
} from 'node:http';
import { closeServer, listen } from '@retro/common';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export class StubBackend {
  readonly seen: SeenRequest[] = [];
  private readonly streams = new Set<ServerResponse>();
  private readonly server: Server;
  port = 0;

  constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        this.seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body,
        });
        if (req.url?.startsWith('/api/tasks/stream')) {
          // Like the backend's feed, an SSE response that stays open; but without its
          // `X-Accel-Buffering: no`, so the test shows nginx.conf itself streams.
          res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
          res.write('retry: 1000\n\n');
          this.streams.add(res);
          res.on('close', () => this.streams.delete(res));
          return;
        }
        if (req.url === '/api/slow') return; // never answers
        res.writeHead(req.method === 'POST' ? 201 : 200, {
          'Content-Type': 'application/json',
          'X-Total-Count': '1',
        });
        res.end(JSON.stringify({ method: req.method, url: req.url }));
      });
    });
  }

  async start(): Promise<void> {
    this.port = await listen(this.server, 0, '127.0.0.1');
  }

  /** Writes one event to every open stream. */
  send(event: string, data: unknown): void {
    for (const res of this.streams) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  get openStreams(): number {
    return this.streams.size;
  }

  async stop(): Promise<void> {
    for (const res of this.streams) res.end();
    await closeServer(this.server, 1000);
  }
}
