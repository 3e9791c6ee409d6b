import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import type { Logger } from '@retro/common';

/** Headers that describe one hop, not the message (RFC 9110 §7.6.1), plus Host. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase()),
  );
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name) && !named.has(name)),
  );
}

export interface ProxyOptions {
  /** Where `/api` requests go, e.g. `http://127.0.0.1:3000`. */
  backendUrl: string;
  /** How long the backend may take to start answering before the caller gets a 504. */
  responseTimeoutMs?: number;
  logger: Logger;
}

/** Forwards `req` to the backend as `url` (a path the caller has checked, with its query). */
export type Proxy = ((req: IncomingMessage, res: ServerResponse, url: string) => void) & {
  /** Ends open requests (event streams never end on their own) and frees pooled sockets. */
  close(): void;
};

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ error: { code, message, details: [] } }));
}

/**
 * Forwards a request to the backend and streams the answer back as it arrives. Nothing is
 * buffered or compressed, so Server-Sent Events reach the browser the moment the backend
 * writes them.
 */
export function createProxy({
  backendUrl,
  responseTimeoutMs = 30_000,
  logger,
}: ProxyOptions): Proxy {
  const target = new URL(backendUrl);
  const transport = target.protocol === 'https:' ? https : http;
  const agent = new transport.Agent({ keepAlive: true });
  const open = new Set<http.ClientRequest>();

  const proxy = (req: IncomingMessage, res: ServerResponse, url: string) => {
    const headers = endToEnd(req.headers);
    // The address that connected, replacing whatever X-Forwarded-For the client sent: the
    // backend trusts this hop (TRUST_PROXY), so an appended list would let a client name itself.
    const client = req.socket.remoteAddress ?? '';
    const upstream = transport.request({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: url,
      agent,
      headers: {
        ...headers,
        host: target.host,
        'x-forwarded-for': client,
        'x-real-ip': client,
        'x-forwarded-host': req.headers.host ?? '',
        'x-forwarded-proto': 'http',
      },
    });
    open.add(upstream);
    upstream.on('close', () => open.delete(upstream));

    // Only the wait for the first byte is bounded: an event stream may stay quiet for long.
    const timer = setTimeout(() => {
      logger.warn('backend did not answer in time', { path: url, responseTimeoutMs });
      sendError(res, 503, 'SERVICE_UNAVAILABLE', 'The catalog API did not answer in time');
      upstream.destroy();
    }, responseTimeoutMs);

    upstream.on('response', (answer) => {
      clearTimeout(timer);
      const responseHeaders = endToEnd(answer.headers);
      if (String(answer.headers['content-type']).startsWith('text/event-stream')) {
        responseHeaders['x-accel-buffering'] = 'no'; // tells any proxy in front of us, too
        res.socket?.setNoDelay(true);
      }
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, responseHeaders);
      res.flushHeaders();
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    });
    upstream.on('error', (error) => {
      clearTimeout(timer);
      if (res.writableEnded) return;
      logger.warn('backend unreachable', { path: url, error: error.message });
      sendError(res, 503, 'SERVICE_UNAVAILABLE', 'The catalog API is not reachable');
    });
    // The browser went away (closed tab, EventSource reconnect): stop the backend's work too.
    res.on('close', () => {
      clearTimeout(timer);
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };

  return Object.assign(proxy, {
    close() {
      for (const request of open) request.destroy();
      agent.destroy();
    },
  });
}
