import { expect } from 'chai';
import type { ApiResponse } from '@retro/common/testing';
import type mysql from 'mysql2/promise';
import { createGame, startTestEnv, TEST_TOKEN, type TestEnv } from './helpers.js';

type Rows = mysql.RowDataPacket[];

describe('reads at scale: exact counters, keyset pages', () => {
  let env: TestEnv;

  before(async () => {
    env = await startTestEnv('scale_counts', {
      config: { HOUSEKEEPING_INTERVAL_MS: 86_400_000, TASK_RETENTION_MS: 3_600_000 },
    });
  });
  after(() => env?.cleanup());

  const create = (title: string, developer?: string) => createGame(env, title, developer);

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
