import { createRequire } from 'node:module';
import path from 'node:path';
import express, { Router } from 'express';

/**
 * Where swagger-ui-dist keeps its files. Found from its manifest, not by importing the package:
 * its main module loads the whole 1.5 MB UI bundle into the server, in every service that
 * imports this library, for nothing (the bundle is only ever sent to browsers).
 */
const SWAGGER_UI_DIR = path.dirname(
  createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'),
);

// The reference page: Swagger UI from the swagger-ui-dist package, served by the service itself
// (no CDN), reading the service's own document. Its script is a file, not inline, so the page
// keeps a strict Content-Security-Policy; Swagger UI styles some elements inline.
const PAGE = (title: string) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${title} — API reference</title>
    <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
    <script src="/api/docs/init.js"></script>
  </body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  tryItOutEnabled: false,
});
`;

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** `/api/openapi.json` (the document) and `/api/docs` (its interactive reference page). */
export function apiDocs(document: { info: { title: string } }): Router {
  const router = Router();
  const json = JSON.stringify(document);
  router.get('/api/openapi.json', (_req, res) => {
    res.type('application/json').send(json);
  });
  router.get('/api/docs', (_req, res) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.type('html').send(PAGE(document.info.title));
  });
  router.get('/api/docs/init.js', (_req, res) => {
    res.type('text/javascript').send(INIT);
  });
  router.use(
    '/api/docs/assets',
    express.static(SWAGGER_UI_DIR, { index: false, maxAge: '1h', fallthrough: true }),
  );
  return router;
}
