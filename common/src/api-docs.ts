import { createRequire } from 'node:module';
import path from 'node:path';
import express, { Router, type Express } from 'express';

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

/**
 * Adds `/api/openapi.json` (the document) and `/api/docs` (its interactive reference page) to
 * `app`, as one route and one mount: any other request passes them at the cost of comparing its
 * path twice, never entering a router of theirs (the API's own requests are the hot path).
 */
export function apiDocs(app: Express, document: { info: { title: string } }): void {
  const json = JSON.stringify(document);
  app.get('/api/openapi.json', (_req, res) => {
    res.type('application/json').send(json);
  });
  const docs = Router();
  docs.get('/', (_req, res) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.type('html').send(PAGE(document.info.title));
  });
  docs.get('/init.js', (_req, res) => {
    res.type('text/javascript').send(INIT);
  });
  docs.use(
    '/assets',
    express.static(SWAGGER_UI_DIR, { index: false, maxAge: '1h', fallthrough: true }),
  );
  app.use('/api/docs', docs);
}
