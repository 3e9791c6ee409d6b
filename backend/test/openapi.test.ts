import { documentationGaps, exampleProblems } from '@retro/common/testing';
import { expect } from 'chai';
import { backendOperations } from '../src/entry-points/http/openapi.js';
import { startTestEnv, type TestEnv } from './helpers.js';

describe('backend OpenAPI document', () => {
  let env: TestEnv;
  before(async () => {
    env = await startTestEnv('openapi');
  });
  after(() => env?.cleanup());

  it('documents every route the app registers, and no route it lacks', () => {
    const gaps = documentationGaps(env.backend.app, backendOperations);
    expect(gaps.undocumented, 'registered, not documented').to.deep.equal([]);
    expect(gaps.notRegistered, 'documented, not registered').to.deep.equal([]);
  });

  it('has examples that pass their own schemas', () => {
    expect(exampleProblems(backendOperations)).to.deep.equal([]);
  });

  it('serves OpenAPI 3.1 at /api/openapi.json, generated from the validation schemas', async () => {
    const res = await env.api('/api/openapi.json');
    expect(res.status).to.equal(200);
    expect(res.body.openapi).to.equal('3.1.0');
    const post = res.body.paths['/api/games'].post;
    const body = post.requestBody.content['application/json'].schema;
    expect(body.properties.title).to.include({ type: 'string', minLength: 1, maxLength: 100 });
    expect(body.required).to.include.members(['title', 'platformId', 'releaseYear']);
    const list = res.body.paths['/api/games'].get.parameters;
    expect(list.map((p: { name: string }) => p.name)).to.include.members(['search', 'limit']);
    expect(res.body.paths['/api/internal/tasks/status'].put.security).to.deep.equal([
      { internalToken: [] },
    ]);
  });

  it('serves the interactive reference at /api/docs with its assets from the app itself (no CDN)', async () => {
    const page = await fetch(`${env.backend.url}/api/docs`);
    expect(page.status).to.equal(200);
    // the page's own policy lets it load its script and styles, where the API's forbids all
    expect(page.headers.get('content-security-policy')).to.include("script-src 'self'");
    const html = await page.text();
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.length).to.be.greaterThan(1);
    for (const source of sources) {
      expect(source, 'served by the app').to.match(/^\/api\/docs\//);
      const asset = await fetch(`${env.backend.url}${source}`);
      expect(asset.status, source).to.equal(200);
      expect((await asset.arrayBuffer()).byteLength, source).to.be.greaterThan(50);
    }
  });
});
