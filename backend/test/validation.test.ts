import { expect } from 'chai';
import { count, startTestEnv, validGame, type TestEnv } from './helpers.js';

/** Every client mistake gets a 4xx with the error shape naming the field, and changes nothing. */
describe('input validation', () => {
  let env: TestEnv;
  let gameId: number;
  before(async () => {
    env = await startTestEnv('validation');
    gameId = (await env.api('/api/games?limit=1')).body[0].id;
  });
  after(async () => env.cleanup());

  async function snapshot() {
    const [rows] = await env.sql.query('SELECT * FROM games ORDER BY id');
    return {
      games: JSON.stringify(rows),
      outbox: await count(env.sql, 'outbox_events'),
      tasks: await count(env.sql, 'processing_tasks'),
      queued: await env.probe.messageCount(env.queues.main),
    };
  }

  const badBodies: [string, Record<string, unknown>, string][] = [
    ['a missing title', { title: undefined }, 'title'],
    ['a blank title', { title: '   ' }, 'title'],
    ['a title over 100 characters', { title: 'x'.repeat(101) }, 'title'],
    ['a developer over 100 characters', { developer: 'd'.repeat(101) }, 'developer'],
    ['a description over 5000 characters', { description: 'd'.repeat(5001) }, 'description'],
    ['a non-numeric platform id', { platformId: 'abc' }, 'platformId'],
    ['a fractional genre id', { genreId: 1.5 }, 'genreId'],
    ['a boolean release year', { releaseYear: true }, 'releaseYear'],
    ['a release year before 1950', { releaseYear: 1949 }, 'releaseYear'],
    ['a release year far in the future', { releaseYear: 3000 }, 'releaseYear'],
    ['a year category that contradicts the year', { yearCategory: '1990s' }, 'yearCategory'],
    ['a malformed year category', { yearCategory: 'eighties' }, 'yearCategory'],
    ['a javascript: image URL', { imageUrl: 'javascript:alert(1)' }, 'imageUrl'],
    ['an ftp image URL', { imageUrl: 'ftp://example.com/a.png' }, 'imageUrl'],
    [
      'an image URL over 255 characters',
      { imageUrl: `https://e.com/${'a'.repeat(250)}` },
      'imageUrl',
    ],
    ['an unknown platform', { platformId: 999 }, 'platformId'],
    ['an unknown genre', { genreId: 999 }, 'genreId'],
    ['an id beyond the INT range', { platformId: 2 ** 40 }, 'platformId'],
  ];

  for (const method of ['POST', 'PUT'] as const) {
    for (const [name, change, field] of badBodies) {
      it(`${method} with ${name} answers 400 naming ${field} and changes nothing`, async () => {
        const before = await snapshot();
        const path = method === 'POST' ? '/api/games' : `/api/games/${gameId}`;
        const res = await env.api(path, { method, body: validGame(change) });
        expect(res.status).to.equal(400);
        expect(res.body.error.code).to.equal('VALIDATION_FAILED');
        expect(res.body.error.details.map((d: { field: string }) => d.field)).to.include(field);
        expect(await snapshot()).to.deep.equal(before);
      });
    }
  }

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    const before = await snapshot();
    const res = await env.api('/api/games', { method: 'POST', raw: '{"title": "oops",' });
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal('MALFORMED_JSON');
    expect(await snapshot()).to.deep.equal(before);
  });

  it('answers a JSON array or a non-JSON body with 400 naming the body', async () => {
    const array = await env.api('/api/games', { method: 'POST', raw: '[1,2]' });
    expect(array.status).to.equal(400);
    const text = await env.api('/api/games', {
      method: 'POST',
      raw: 'title=Contra',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(text.status).to.equal(400);
    expect(text.body.error.details[0].field).to.equal('body');
  });

  it('answers a body over the size limit with 413 and changes nothing', async () => {
    const before = await snapshot();
    const res = await env.api('/api/games', {
      method: 'POST',
      body: validGame({ description: 'x'.repeat(100_000) }),
    });
    expect(res.status).to.equal(413);
    expect(res.body.error.code).to.equal('PAYLOAD_TOO_LARGE');
    expect(await snapshot()).to.deep.equal(before);
  });

  for (const id of ['abc', '1.5', '-1', '0', '99999999999']) {
    it(`answers the game id "${id}" with 400 naming id`, async () => {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await env.api(`/api/games/${id}`, {
          method,
          body: method === 'PUT' ? validGame() : undefined,
        });
        expect(res.status, method).to.equal(400);
        expect(res.body.error.details[0].field).to.equal('id');
      }
    });
  }

  it('answers an unknown game id with 404 for read, update and delete', async () => {
    const before = await snapshot();
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await env.api('/api/games/424242', {
        method,
        body: method === 'PUT' ? validGame() : undefined,
      });
      expect(res.status, method).to.equal(404);
      expect(res.body.error.code).to.equal('NOT_FOUND');
    }
    expect(await snapshot()).to.deep.equal(before);
  });

  const badQueries: [string, string][] = [
    ['limit=101', 'limit'],
    ['limit=0', 'limit'],
    ['limit=ten', 'limit'],
    ['offset=-1', 'offset'],
    ['platformId=x', 'platformId'],
    ['genreId=1e3', 'genreId'],
    ['status=done', 'status'],
    ['yearCategory=80s', 'yearCategory'],
    ['sort=rating', 'sort'],
    [`search=${'s'.repeat(101)}`, 'search'],
  ];
  for (const [query, field] of badQueries) {
    it(`answers the list query ${query.slice(0, 20)} with 400 naming ${field}`, async () => {
      const res = await env.api(`/api/games?${query}`);
      expect(res.status).to.equal(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).to.include(field);
    });
  }

  // A page that deep walks every row before it: past the cap the lists page by cursor.
  for (const [path, next] of [
    ['/api/games', '`after`'],
    ['/api/tasks', '`after`'],
    ['/api/audit', '`to`'],
  ] as const) {
    it(`answers ${path}?offset=10001 with 400 naming the cap and how to read further`, async () => {
      const api = env.as('operator');
      expect((await api(`${path}?offset=10000`)).status).to.equal(200);
      const res = await api(`${path}?offset=10001`);
      expect(res.status).to.equal(400);
      const [detail] = res.body.error.details;
      expect(detail.field).to.equal('offset');
      expect(detail.message).to.include('at most 10000').and.to.include(next);
    });
  }

  // Ignoring a misspelled or doubled filter would quietly answer another question.
  const listQueries: [string, string, string][] = [
    ['/api/games', 'genre=3', 'genre'],
    ['/api/games', 'genreId=1&genreId=2', 'genreId'],
    ['/api/games', 'genreId[]=1&genreId[]=2', 'genreId[]'],
    ['/api/games', 'filter[title]=x', 'filter[title]'],
    ['/api/tasks', 'page=2', 'page'],
    ['/api/tasks', 'status=failed&status=pending', 'status'],
    ['/api/tasks/counts', 'status=failed', 'status'],
    ['/api/processing', 'limit=5', 'limit'],
    ['/api/platforms', 'sort=name', 'sort'],
    ['/api/genres', '_=1700000000', '_'],
  ];
  for (const [path, query, field] of listQueries) {
    it(`answers GET ${path}?${query} with 400 naming ${field}`, async () => {
      const res = await env.api(`${path}?${query}`);
      expect(res.status).to.equal(400);
      expect(res.body.error).to.include({ code: 'VALIDATION_FAILED' });
      expect(res.body.error.details.map((d: { field: string }) => d.field)).to.deep.equal([field]);
      expect(res.body.error.details[0].message).to.be.a('string').and.not.equal('');
    });
  }
});
