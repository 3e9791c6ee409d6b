import { documentationGaps, exampleProblems } from '@retro/common/testing';
import { expect } from 'chai';
import { producerOperations } from '../src/entry-points/openapi.js';
import { type ProducerTestEnv, startProducerTestEnv } from './helpers.js';

describe('message producer OpenAPI document', () => {
  let h: ProducerTestEnv;
  before(async () => {
    h = await startProducerTestEnv('openapi');
  });
  after(() => h?.cleanup());

  it('documents every route the app registers, and no route it lacks', () => {
    const gaps = documentationGaps(h.producer.app, producerOperations);
    expect(gaps.undocumented, 'registered, not documented').to.deep.equal([]);
    expect(gaps.notRegistered, 'documented, not registered').to.deep.equal([]);
  });

  it('has examples that pass their own schemas', () => {
    expect(exampleProblems(producerOperations)).to.deep.equal([]);
  });

  it('serves OpenAPI 3.1 generated from the request schemas, and its documented examples are accepted by the service', async () => {
    const res = await h.request('GET', '/api/openapi.json');
    expect(res.status).to.equal(200);
    expect(res.body.openapi).to.equal('3.1.0');
    const gameEvent = res.body.paths['/api/messages/game-event'].post;
    const schema = gameEvent.requestBody.content['application/json'].schema;
    expect(schema.properties.action.enum).to.deep.equal(['create', 'update', 'delete', 'process']);
    const example = gameEvent.requestBody.content['application/json'].example;
    const published = await h.request('POST', '/api/messages/game-event', example);
    expect(published.status, JSON.stringify(published.body)).to.equal(201);
  });

  it('serves the interactive reference at /api/docs with its assets from the app itself (no CDN)', async () => {
    const page = await h.request('GET', '/api/docs');
    expect(page.status).to.equal(200);
    const sources = [...String(page.body).matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.length).to.be.greaterThan(1);
    for (const source of sources) {
      expect(source, 'served by the app').to.match(/^\/api\/docs\//);
      expect((await h.request('GET', source)).status, source).to.equal(200);
    }
  });
});
