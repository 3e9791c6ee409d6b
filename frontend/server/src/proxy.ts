import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '@retro/common';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { sendApiError } from './responses.js';

export interface ProxyOptions {
  /** Where `/api` requests go, e.g. `http://127.0.0.1:3000`. */
  backendUrl: string;
  /** How long the backend may take to start answering before the caller gets a 503. */
  responseTimeoutMs?: number;
  logger: Logger;
}

/**
 * `/api` forwarded to the backend by http-proxy-middleware and streamed back as it arrives:
 * nothing buffered or compressed, so Server-Sent Events reach the browser the moment the backend
 * writes them. Requests arrive here with `req.url` already checked and normalised (routes.ts).
 */
export function createApiProxy({ backendUrl, responseTimeoutMs = 30_000, logger }: ProxyOptions) {
  const open = new Set<ClientRequest>();
  const middleware = createProxyMiddleware<IncomingMessage, ServerResponse>({
    target: backendUrl,
    changeOrigin: true,
    // set below: the address that connected, never a list the client started
    xfwd: false,
    logger: { info: () => undefined, warn: logger.warn.bind(logger), error: () => undefined },
    on: {
      proxyReq(proxyReq, req, res) {
        // The address that connected, replacing whatever X-Forwarded-For the client sent: the
        // backend trusts this hop (TRUST_PROXY), so an appended list would let a client name itself.
        const client = req.socket.remoteAddress ?? '';
        proxyReq.setHeader('x-forwarded-for', client);
        proxyReq.setHeader('x-real-ip', client);
        proxyReq.setHeader('x-forwarded-host', req.headers.host ?? '');
        proxyReq.setHeader('x-forwarded-proto', 'http');
        open.add(proxyReq);
        proxyReq.on('close', () => open.delete(proxyReq));
        // Only the wait for the first byte is bounded: an event stream may stay quiet for long.
        const timer = setTimeout(() => {
          logger.warn('backend did not answer in time', { path: req.url, responseTimeoutMs });
          sendApiError(res, 503, 'SERVICE_UNAVAILABLE', 'The catalog API did not answer in time');
          proxyReq.destroy();
        }, responseTimeoutMs);
        proxyReq.on('response', () => clearTimeout(timer));
        proxyReq.on('close', () => clearTimeout(timer));
        // The browser went away (closed tab, EventSource reconnect): stop the backend's work too.
        res.on('close', () => {
          if (!res.writableFinished) proxyReq.destroy();
        });
      },
      proxyRes(proxyRes, _req, res) {
        // The backend's answer broke off (backend gone, connection cut): so does the browser's,
        // which then knows to reconnect (an event stream resumes from its last id).
        proxyRes.on('close', () => {
          if (!proxyRes.complete) res.destroy();
        });
        if (String(proxyRes.headers['content-type']).startsWith('text/event-stream')) {
          proxyRes.headers['x-accel-buffering'] = 'no'; // tells any proxy in front of us, too
          res.socket?.setNoDelay(true);
        }
      },
      error(error, req, res) {
        if (!('writeHead' in res)) {
          (res as Socket).destroy();
          return;
        }
        if (res.writableEnded) return;
        logger.warn('backend unreachable', { path: req.url, error: error.message });
        sendApiError(res, 503, 'SERVICE_UNAVAILABLE', 'The catalog API is not reachable');
      },
    },
  });
  return Object.assign(middleware, {
    /** Ends open requests (event streams never end on their own). */
    close() {
      for (const request of open) request.destroy();
    },
  });
}
