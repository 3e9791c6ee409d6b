import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP hop between the consumer and the backend that records every status write and can
 * answer some of them with a 5xx itself, to play a failing backend without touching the real one.
 * A batch request is recorded as one entry per write; it fails as a whole when any of its writes
 * is to fail, as the backend's answer covers the whole batch.
 */
export class RecordingBackendProxy {
  readonly requests: Array<{ at: number; messageId: string; body: Record<string, unknown> }> = [];
  /** Return a status to answer with instead of forwarding (e.g. 503), or undefined to forward. */
  failWith: (body: Record<string, unknown>) => number | undefined = () => undefined;
  /** Answer 401 to every internal write, as a backend with another token would. */
  refuseToken = false;
  private server: Server | undefined;

  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks).toString();
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const at = performance.now();
      const writes = Array.isArray(body.updates)
        ? (body.updates as Record<string, unknown>[]).map(({ messageId, ...update }) => ({
            at,
            messageId: String(messageId),
            body: update,
          }))
        : [{ at, messageId: decodeURIComponent(req.url!.split('/')[4] ?? ''), body }];
      this.requests.push(...writes);
      const status =
        this.refuseToken && req.method === 'PUT'
          ? 401
          : writes.map((w) => this.failWith(w.body)).find((s) => s !== undefined);
      if (status !== undefined) {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: { code: 'SERVICE_UNAVAILABLE', message: 'injected', details: [] },
          }),
        );
        return;
      }
      const upstream = await fetch(`${this.target}${req.url}`, {
        method: req.method,
        headers: {
          'content-type': 'application/json',
          authorization: req.headers.authorization ?? '',
        },
        body: raw || undefined,
      });
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(await upstream.text());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}
