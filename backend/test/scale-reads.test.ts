import { expect } from 'chai';
import type { ApiResponse } from '@retro/common/testing';
import type mysql from 'mysql2/promise';
import { startTestEnv, TEST_TOKEN, validGame, type TestEnv } from './helpers.js';

type Rows = mysql.RowDataPacket[];

describe('reads at scale: word search, exact counters, keyset pages', () => {
  let env: TestEnv;

  before(async () => {
    env = await startTestEnv('scale_reads', {
      config: { HOUSEKEEPING_INTERVAL_MS: 86_400_000, TASK_RETENTION_MS: 3_600_000 },
    });
  });
  after(() => env?.cleanup());

  const create = async (title: string, developer = 'Test Soft') => {
    const res = await env.api('/api/games', {
      method: 'POST',
      body: validGame({ title, developer }),
    });
    expect(res.status).to.equal(201);
    return res.body.id as number;
  };
  const search = async (text: string, extra = '') => {
    const res = await env.api(`/api/games?search=${encodeURIComponent(text)}${extra}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return {
      titles: (res.body as { title: string }[]).map((g) => g.title),
      total: Number(res.headers.get('x-total-count')),
    };
  };

  /** The counters against COUNT(*): tasks per status, and the catalog with and without filters. */
  async function expectCountersExact() {
    const [tasks] = await env.sql.query<Rows>(
      'SELECT status, COUNT(*) AS n FROM processing_tasks GROUP BY status',
    );
    const counts = (await env.api('/api/tasks/counts')).body;
    let total = 0;
    for (const status of ['pending', 'processing', 'completed', 'failed']) {
      const n = Number(tasks.find((r) => r.status === status)?.n ?? 0);
      total += n;
      expect(counts[status], status).to.equal(n);
      const listed = await env.api(`/api/tasks?status=${status}&limit=1`);
      expect(Number(listed.headers.get('x-total-count')), `tasks ${status}`).to.equal(n);
    }
    expect(counts.total).to.equal(total);
    const [[games]] = await env.sql.query<Rows>(
      "SELECT COUNT(*) AS n, SUM(processing_status = 'pending') AS pending FROM games",
    );
    const all = await env.api('/api/games?limit=1');
    expect(Number(all.headers.get('x-total-count'))).to.equal(Number(games!.n));
    const pending = await env.api('/api/games?limit=1&status=pending');
    expect(Number(pending.headers.get('x-total-count'))).to.equal(Number(games!.pending ?? 0));
  }

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

  describe('counters', () => {
    it('stay equal to COUNT(*) through creates, status reports, retries, deletes and pruning', async () => {
      const ids = [await create('Counter One'), await create('Counter Two')];
      await expectCountersExact();
      const [tasks] = await env.sql.query<Rows>(
        'SELECT message_id, game_id FROM processing_tasks WHERE game_id IN (?)',
        [ids],
      );
      const report = (status: string, extra = {}) => ({
        updates: tasks.map((t) => ({
          messageId: t.message_id,
          type: 'game',
          gameId: t.game_id,
          status,
          ...extra,
        })),
      });
      const write = (body: unknown) =>
        env.api('/api/internal/tasks/status', { method: 'PUT', body, token: TEST_TOKEN });
      expect((await write(report('processing'))).status).to.equal(200);
      await expectCountersExact();
      expect((await write(report('failed', { error: 'boom', attempts: 4 }))).status).to.equal(200);
      await expectCountersExact();
      const retried = await env.api(`/api/tasks/${tasks[0]!.message_id}/retry`, { method: 'POST' });
      expect(retried.status).to.equal(202);
      await expectCountersExact();
      expect((await env.api(`/api/games/${ids[1]}`, { method: 'DELETE' })).status).to.equal(204);
      await expectCountersExact();
      // age the failed task past its retention, then prune
      await env.sql.query(
        `UPDATE processing_tasks SET updated_at = NOW(3) - INTERVAL 2 HOUR
         WHERE message_id = ?`,
        [tasks[1]!.message_id],
      );
      const pruned = await env.backend.housekeeping.runOnce();
      expect(pruned?.tasks).to.equal(1);
      await expectCountersExact();
    });

    it('fold the slots of closed connections into the base without changing a count', async () => {
      const before = (await env.api('/api/tasks/counts')).body;
      // a connection of its own writes a task and closes: its slot is left behind
      const own = await env.sql.getConnection();
      await own.query(
        "INSERT INTO processing_tasks (message_id, type, status) VALUES ('fold-me', 'custom', 'completed')",
      );
      const [[{ id }]] = (await own.query('SELECT CONNECTION_ID() AS id')) as unknown as [
        [{ id: number }],
      ];
      own.destroy();
      await env.backend.housekeeping.runOnce();
      const [[slot]] = await env.sql.query<Rows>(
        'SELECT COUNT(*) AS n FROM task_counts WHERE slot = ?',
        [id],
      );
      expect(Number(slot!.n)).to.equal(0);
      const after = (await env.api('/api/tasks/counts')).body;
      expect(after.completed).to.equal(before.completed + 1);
      await expectCountersExact();
    });
  });

  describe('keyset pages', () => {
    it('walk every game exactly once in each order while games are added and removed', async () => {
      for (let i = 0; i < 30; i++) await create(`Page Walk ${String(i).padStart(2, '0')}`);
      for (const sort of [
        'title',
        '-title',
        'releaseYear',
        '-releaseYear',
        'createdAt',
        '-createdAt',
      ]) {
        const [[count]] = await env.sql.query<Rows>('SELECT COUNT(*) AS n FROM games');
        const seen: number[] = [];
        let cursor: string | null = null;
        let added: number | undefined;
        for (let page = 0; page < 100; page++) {
          const res: ApiResponse = await env.api(
            `/api/games?limit=7&sort=${sort}${cursor ? `&after=${cursor}` : ''}`,
          );
          expect(res.status, JSON.stringify(res.body)).to.equal(200);
          seen.push(...(res.body as { id: number }[]).map((g) => g.id));
          // a change behind the reader's position must not shift what is still ahead of it
          if (page === 1) added = await create(`Aaa Inserted ${sort}`);
          cursor = res.headers.get('x-next-cursor');
          if (!cursor) break;
        }
        expect(new Set(seen).size, `${sort}: no duplicates`).to.equal(seen.length);
        const others = seen.filter((id) => id !== added);
        expect(others.length, `${sort}: no gaps`).to.equal(Number(count!.n));
      }
    });

    it('answer 400 for a cursor of another order or a forged one', async () => {
      const first = await env.api('/api/games?limit=2&sort=title');
      const cursor = first.headers.get('x-next-cursor');
      expect(cursor).to.be.a('string');
      expect(
        (await env.api(`/api/games?limit=2&sort=-releaseYear&after=${cursor}`)).status,
      ).to.equal(400);
      expect((await env.api('/api/games?after=not-a-cursor')).status).to.equal(400);
      expect((await env.api('/api/tasks?after=not-a-cursor')).status).to.equal(400);
    });

    it('walk the task list without repeating or skipping a task', async () => {
      const [[count]] = await env.sql.query<Rows>('SELECT COUNT(*) AS n FROM processing_tasks');
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: ApiResponse = await env.api(
          `/api/tasks?limit=9${cursor ? `&after=${cursor}` : ''}`,
        );
        expect(res.status).to.equal(200);
        seen.push(...(res.body as { messageId: string }[]).map((t) => t.messageId));
        cursor = res.headers.get('x-next-cursor');
      } while (cursor);
      expect(new Set(seen).size).to.equal(seen.length);
      expect(seen.length).to.equal(Number(count!.n));
    });
  });
});
