import { expect } from 'chai';
import { startTestEnv, validGame, type TestEnv } from './helpers.js';

describe('catalog API', () => {
  let env: TestEnv;
  before(async () => {
    env = await startTestEnv('games_api');
  });
  after(async () => env.cleanup());

  it('lists the seeded platforms and genres', async () => {
    const platforms = await env.api('/api/platforms');
    const genres = await env.api('/api/genres');
    expect(platforms.body.map((p: { name: string }) => p.name)).to.have.members([
      'NES',
      'SNES',
      'Genesis',
      'GameBoy',
      'PlayStation',
      'N64',
      'Arcade',
    ]);
    expect(genres.body).to.have.length(8);
    expect(genres.body[0]).to.include.keys('id', 'name');
  });

  it('lists the seeded games as an array with the original field names and a total count', async () => {
    const res = await env.api('/api/games');
    expect(res.status).to.equal(200);
    expect(res.body).to.be.an('array').with.length(10);
    expect(res.headers.get('x-total-count')).to.equal('10');
    expect(res.body[0]).to.have.all.keys(
      'id',
      'title',
      'platformId',
      'platformName',
      'genreId',
      'genreName',
      'developer',
      'releaseYear',
      'yearCategory',
      'description',
      'imageUrl',
      'processingStatus',
      'createdAt',
      'updatedAt',
    );
  });

  it('creates a game with a derived year category and pending processing', async () => {
    const res = await env.api('/api/games', {
      method: 'POST',
      body: validGame({ imageUrl: 'https://example.com/contra.png' }),
    });
    expect(res.status).to.equal(201);
    expect(res.headers.get('location')).to.equal(`/api/games/${res.body.id}`);
    expect(res.body).to.include({
      title: 'Contra',
      platformName: 'NES',
      genreName: 'Action',
      yearCategory: '1980s',
      processingStatus: 'pending',
      imageUrl: 'https://example.com/contra.png',
    });
    const fetched = await env.api(`/api/games/${res.body.id}`);
    expect(fetched.body).to.deep.equal(res.body);
  });

  it('accepts numbers sent as strings, as the original form did', async () => {
    const res = await env.api('/api/games', {
      method: 'POST',
      body: validGame({
        platformId: '2',
        genreId: '1',
        releaseYear: '1992',
        yearCategory: '1990s',
      }),
    });
    expect(res.status).to.equal(201);
    expect(res.body).to.include({ platformId: 2, genreId: 1, releaseYear: 1992 });
  });

  it('round-trips emoji and CJK titles', async () => {
    const title = 'ロックマン 🎮 星のカービィ';
    const created = await env.api('/api/games', { method: 'POST', body: validGame({ title }) });
    expect(created.status).to.equal(201);
    const fetched = await env.api(`/api/games/${created.body.id}`);
    expect(fetched.body.title).to.equal(title);
    const found = await env.api(`/api/games?search=${encodeURIComponent('カービィ')}`);
    expect(found.body.map((g: { title: string }) => g.title)).to.deep.equal([title]);
  });

  it('updates a game and sets its processing back to pending', async () => {
    const created = await env.api('/api/games', {
      method: 'POST',
      body: validGame({ title: 'Gradius' }),
    });
    await env.sql.query("UPDATE games SET processing_status = 'completed' WHERE id = ?", [
      created.body.id,
    ]);
    const res = await env.api(`/api/games/${created.body.id}`, {
      method: 'PUT',
      body: validGame({ title: 'Gradius II', releaseYear: 1988 }),
    });
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ title: 'Gradius II', processingStatus: 'pending' });
    expect(Date.parse(res.body.updatedAt)).to.be.at.least(Date.parse(created.body.updatedAt));
  });

  it('deletes a game: 204, then 404', async () => {
    const created = await env.api('/api/games', {
      method: 'POST',
      body: validGame({ title: 'Doomed' }),
    });
    const res = await env.api(`/api/games/${created.body.id}`, { method: 'DELETE' });
    expect(res.status).to.equal(204);
    expect((await env.api(`/api/games/${created.body.id}`)).status).to.equal(404);
    expect((await env.api(`/api/games/${created.body.id}`, { method: 'DELETE' })).status).to.equal(
      404,
    );
  });

  it('filters by platform, genre, year category and status, and pages with limit and offset', async () => {
    const nes = await env.api('/api/games?platformId=1&limit=100');
    expect(nes.body.every((g: { platformId: number }) => g.platformId === 1)).to.equal(true);
    const rpgs = await env.api('/api/games?genreId=2');
    expect(rpgs.body.map((g: { title: string }) => g.title)).to.have.members([
      'Final Fantasy VII',
      'Chrono Trigger',
    ]);
    const eighties = await env.api('/api/games?yearCategory=1980s&status=completed');
    expect(eighties.body.map((g: { title: string }) => g.title)).to.have.members([
      'Super Mario Bros.',
      'The Legend of Zelda',
      'Tetris',
      'Pac-Man',
    ]);
    const all = await env.api('/api/games?sort=title');
    const page = await env.api('/api/games?sort=title&limit=3&offset=2');
    expect(page.body.map((g: { id: number }) => g.id)).to.deep.equal(
      all.body.slice(2, 5).map((g: { id: number }) => g.id),
    );
    expect(page.headers.get('x-total-count')).to.equal(all.headers.get('x-total-count'));
  });

  it('sorts by release year, newest first', async () => {
    const res = await env.api('/api/games?sort=-releaseYear');
    const years = res.body.map((g: { releaseYear: number }) => g.releaseYear);
    expect(years).to.deep.equal([...years].sort((a, b) => b - a));
  });

  it('treats SQL wildcard and quote characters in search as plain text', async () => {
    await env.api('/api/games', {
      method: 'POST',
      body: validGame({ title: "100% O'Brien_game" }),
    });
    for (const search of ['%', '_', "'", '100%', "O'B", '\\']) {
      const res = await env.api(`/api/games?search=${encodeURIComponent(search)}`);
      expect(res.status, search).to.equal(200);
      const titles = res.body.map((g: { title: string }) => g.title);
      expect(
        titles.every((t: string) => t.includes(search)),
        `search ${search}: ${titles}`,
      ).to.equal(true);
    }
    const percent = await env.api(`/api/games?search=${encodeURIComponent('%')}`);
    expect(percent.body).to.have.length(1);
  });

  it('lists unfinished games on the original processing feed', async () => {
    const created = await env.api('/api/games', {
      method: 'POST',
      body: validGame({ title: 'Feed me' }),
    });
    const res = await env.api('/api/processing');
    const game = res.body.find((g: { id: number }) => g.id === created.body.id);
    expect(game).to.deep.equal({
      id: created.body.id,
      title: 'Feed me',
      processingStatus: 'pending',
    });
  });

  it('answers unknown routes with the JSON error shape', async () => {
    const res = await env.api('/api/nothing-here');
    expect(res.status).to.equal(404);
    expect(res.body.error.code).to.equal('NOT_FOUND');
  });

  it('reports liveness and readiness of MySQL and RabbitMQ', async () => {
    expect((await env.api('/health')).status).to.equal(200);
    const ready = await env.api('/ready');
    expect(ready.status).to.equal(200);
    expect(ready.body).to.include({ database: 'up', rabbitmq: 'up' });
  });
});
