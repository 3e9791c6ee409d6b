import { join } from 'node:path';
import express, { type RequestHandler, type Response } from 'express';

/**
 * Game images come from anywhere on the web (imageUrl), everything else only from this origin.
 * No inline scripts or styles exist, so none are allowed.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' https: http: data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  next();
};

/** The producer's page is built with these pages but served by the producer service only. */
export const PRODUCER_PAGE_DIR = 'producer';

/**
 * Vite names assets by content hash: a changed file gets a new name, so they are cached for good.
 * Pages are revalidated on every load (their ETag makes that cheap) so a new build's asset names
 * are picked up at once.
 */
function cacheHeaders(res: Response, path: string): void {
  const immutable = /[\\/]assets[\\/]/.test(path);
  res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
}

/**
 * The built pages through express.static (ETag, ranges, HEAD, paths that leave the folder
 * refused): `/processing` → processing.html; like the container's nginx, a path that names no
 * file gets the catalog page, except under /assets/ where a missing file is a 404 (a script must
 * never be answered with HTML).
 */
export function staticPages(root: string): RequestHandler[] {
  const files = express.static(root, { extensions: ['html'], setHeaders: cacheHeaders });
  const hideProducerPage: RequestHandler = (req, _res, next) => {
    const first = req.path.split('/')[1]?.toLowerCase();
    if (first === PRODUCER_PAGE_DIR) req.url = '/index.html';
    next();
  };
  const fallback: RequestHandler = (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.status(405).set('Allow', 'GET, HEAD').type('text/plain').send('Method not allowed\n');
      return;
    }
    if (req.path.startsWith('/assets/')) {
      res.status(404).type('text/plain').send('Not found\n');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(join(root, 'index.html'));
  };
  return [hideProducerPage, files, fallback];
}
