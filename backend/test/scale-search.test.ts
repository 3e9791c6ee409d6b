import { expect } from 'chai';
import type mysql from 'mysql2/promise';
import { createGame, startTestEnv, validGame, type TestEnv } from './helpers.js';

type Rows = mysql.RowDataPacket[];

describe('reads at scale: word search', () => {
  let env: TestEnv;

  before(async () => {
    env = await startTestEnv('scale_reads', {
      config: { HOUSEKEEPING_INTERVAL_MS: 86_400_000, TASK_RETENTION_MS: 3_600_000 },
    });
  });
  after(() => env?.cleanup());

  const create = (title: string, developer?: string) => createGame(env, title, developer);
  const search = async (text: string, extra = '') => {
    const res = await env.api(`/api/games?search=${encodeURIComponent(text)}${extra}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return {
      titles: (res.body as { title: string }[]).map((g) => g.title),
      total: Number(res.headers.get('x-total-count')),
    };
  };

  describe('search by title or developer', () => {
    before(async () => {
      for (const title of [
        'Doom',
        'Doom II',
        'Doomsday Warrior',
        'F-Zero',
        'Ys',
        'Ys II',
        'R-Type',
        'Street Fighter II',
        'Street Fighter Alpha',
        '100% Orange Juice',
        'snake_case Quest',
        "Kirby's Dream Land",
        'Back\\slash',
        'Pokémon Red',
        'ドラゴンクエスト',
      ]) {
        await create(title);
      }
      await create('Arcade Classics', 'Doom Works');
    });

    it('puts the exact title first, then longer titles, then developer matches', async () => {
      const { titles, total } = await search('doom');
      expect(titles.slice(0, 3)).to.deep.equal(['Doom', 'Doom II', 'Doomsday Warrior']);
      expect(titles[3]).to.equal('Arcade Classics'); // its developer is "Doom Works"
      expect(total).to.equal(4);
    });

    it('finds two-letter and hyphenated titles that FULLTEXT would miss', async () => {
      expect((await search('Ys')).titles).to.deep.equal(['Ys', 'Ys II']);
      expect((await search('F-Zero')).titles).to.deep.equal(['F-Zero']);
      expect((await search('f zero')).titles).to.deep.equal(['F-Zero']);
      expect((await search('R-Type')).titles).to.deep.equal(['R-Type']);
      // the seed data has one too
      expect((await search('Street Fighter II')).titles).to.deep.equal([
        'Street Fighter II',
        'Street Fighter II',
      ]);
      expect((await search('street fi')).titles).to.have.members([
        'Street Fighter II',
        'Street Fighter II',
        'Street Fighter Alpha',
      ]);
    });

    it('matches %, _, quotes, backslashes and accents as plain text', async () => {
      expect((await search('100%')).titles).to.deep.equal(['100% Orange Juice']);
      expect((await search('%')).titles).to.deep.equal(['100% Orange Juice']);
      expect((await search('_')).titles).to.deep.equal(['snake_case Quest']);
      expect((await search("kirby's")).titles).to.deep.equal(["Kirby's Dream Land"]);
      expect((await search('\\')).titles).to.deep.equal(['Back\\slash']);
      expect((await search('pokemon')).titles).to.deep.equal(['Pokémon Red']);
      expect((await search('POKÉMON')).titles).to.deep.equal(['Pokémon Red']);
      expect((await search('クエスト')).titles).to.deep.equal(['ドラゴンクエスト']);
      expect((await search('zzz%')).total).to.equal(0);
    });

    it('follows edits and deletes of a game', async () => {
      const id = await create('Gradius');
      expect((await search('gradius')).titles).to.deep.equal(['Gradius']);
      const renamed = await env.api(`/api/games/${id}`, {
        method: 'PUT',
        body: validGame({ title: 'Salamander', developer: 'Konami' }),
      });
      expect(renamed.status).to.equal(200);
      expect((await search('gradius')).total).to.equal(0);
      expect((await search('salamander')).titles).to.deep.equal(['Salamander']);
      expect((await search('konami')).titles).to.deep.equal(['Salamander']);
      expect((await env.api(`/api/games/${id}`, { method: 'DELETE' })).status).to.equal(204);
      expect((await search('salamander')).total).to.equal(0);
      const [[left]] = await env.sql.query<Rows>(
        'SELECT COUNT(*) AS n FROM game_search_terms WHERE game_id = ?',
        [id],
      );
      expect(Number(left!.n)).to.equal(0);
    });

    it('orders the matches by another sort when asked, and pages them by offset', async () => {
      const byTitle = await search('doom', '&sort=-title');
      expect(byTitle.titles).to.deep.equal([
        'Doomsday Warrior',
        'Doom II',
        'Doom',
        'Arcade Classics',
      ]);
      expect(byTitle.total).to.equal(4);
      const second = await search('doom', '&limit=2&offset=2');
      expect(second.titles).to.deep.equal(['Doomsday Warrior', 'Arcade Classics']);
      expect(second.total).to.equal(4);
      expect((await search('doom', '&offset=10')).total).to.equal(4);
    });

    it('combines a search with filters and refuses a cursor with it', async () => {
      const res = await env.api('/api/games?search=doom&platformId=999');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal([]);
      expect(Number(res.headers.get('x-total-count'))).to.equal(0);
      const refused = await env.api('/api/games?search=doom&after=abc');
      expect(refused.status).to.equal(400);
    });
  });
});
