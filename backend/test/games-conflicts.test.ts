import { expect } from 'chai';
import http from 'node:http';
import type mysql from 'mysql2/promise';
import {
  count,
  createGameWithEvent,
  reportStatus,
  startTestEnv,
  validGame,
  type TestEnv,
} from './helpers.js';

/** Everything a refused write must leave as it was. */
async function snapshot(env: TestEnv, id: number) {
  const [[audit]] = await env.sql.query<mysql.RowDataPacket[]>(
    'SELECT COUNT(*) AS n FROM audit_log',
  );
  const game = await env.api(`/api/games/${id}`);
  return {
    game: game.body,
    etag: game.headers.get('etag'),
    events: await count(env.sql, 'outbox_events'),
    tasks: await count(env.sql, 'processing_tasks'),
    audit: Number(audit!.n),
  };
}

/**
 * A cache's revalidation (`fetch` would add `Cache-Control: no-cache` to a request carrying
 * If-None-Match, which asks for a full answer): its status.
 */
function revalidate(url: string, etag: string, env: TestEnv): Promise<number> {
  const headers = { 'if-none-match': etag, authorization: `Bearer ${env.accounts.viewer.token}` };
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      })
      .on('error', reject);
  });
}

describe('game versions: ETag and If-Match', () => {
  let env: TestEnv;
  before(async () => {
    env = await startTestEnv('games_conflicts');
  });
  after(async () => env.cleanup());

  const create = async (title: string) => {
    const res = await env.api('/api/games', { method: 'POST', body: validGame({ title }) });
    expect(res.status).to.equal(201);
    return { id: res.body.id as number, etag: res.headers.get('etag')! };
  };
  const put = (id: number, title: string, ifMatch?: string) =>
    env.api(`/api/games/${id}`, {
      method: 'PUT',
      body: validGame({ title }),
      headers: ifMatch === undefined ? {} : { 'if-match': ifMatch },
    });

  it('when a game is created or read, then it carries a strong ETag of its id and version', async () => {
    const { id, etag } = await create('Tagged');
    expect(etag).to.equal(`"${id}.1"`);
    const read = await env.api(`/api/games/${id}`);
    expect(read.headers.get('etag')).to.equal(`"${id}.1"`);
    expect(read.headers.get('cache-control')).to.equal('no-store');
    // the processing status moves without the version: a revalidation gets the game, not a 304
    expect(await revalidate(`${env.backend.url}/api/games/${id}`, etag, env)).to.equal(200);
  });

  it('when If-Match names the current version, then the update is applied and answers the new ETag', async () => {
    const { id, etag } = await create('Matching');
    const res = await put(id, 'Matching II', etag);
    expect(res.status).to.equal(200);
    expect(res.body.title).to.equal('Matching II');
    expect(res.headers.get('etag')).to.equal(`"${id}.2"`);
    expect((await env.api(`/api/games/${id}`)).headers.get('etag')).to.equal(`"${id}.2"`);
  });

  it('when If-Match names a version the game moved on from, then 412 and nothing changes', async () => {
    const { id, etag: stale } = await create('Stale');
    expect((await put(id, 'Stale, edited elsewhere', stale)).status).to.equal(200);
    const before = await snapshot(env, id);

    const res = await put(id, 'Stale, lost edit', stale);

    expect(res.status).to.equal(412);
    expect(res.body.error).to.deep.equal({
      code: 'PRECONDITION_FAILED',
      message: `Game ${id} changed since it was read (it is at version 2 now); read it again and reapply the change`,
      details: [],
    });
    expect(await snapshot(env, id)).to.deep.equal(before);
  });

  it('when If-Match is * or absent, then the update is applied whatever the version (the original clients send none)', async () => {
    const { id } = await create('Unconditional');
    expect((await put(id, 'Unconditional II', '*')).status).to.equal(200);
    const res = await put(id, 'Unconditional III');
    expect(res.status).to.equal(200);
    expect(res.headers.get('etag')).to.equal(`"${id}.3"`);
    expect(res.body.title).to.equal('Unconditional III');
  });

  it('when two writers send the same ETag at once, then exactly one wins and the other gets 412', async () => {
    for (let round = 0; round < 5; round++) {
      const { id, etag } = await create(`Race ${round}`);
      const titles = [`Race ${round} A`, `Race ${round} B`];
      const answers = await Promise.all(titles.map((title) => put(id, title, etag)));

      expect(answers.map((a) => a.status).sort()).to.deep.equal([200, 412]);
      const winner = answers.find((a) => a.status === 200)!;
      const game = await env.api(`/api/games/${id}`);
      expect(game.body.title).to.equal(winner.body.title);
      expect(game.headers.get('etag')).to.equal(`"${id}.2"`);
      const [rows] = await env.sql.query<mysql.RowDataPacket[]>(
        "SELECT COUNT(*) AS n FROM audit_log WHERE target = ? AND action = 'game.update'",
        [`game:${id}`],
      );
      expect(Number(rows[0]!.n)).to.equal(1);
    }
  });

  it('when an update changes no editable field, then the version stays (a repeated PUT still matches)', async () => {
    const { id, etag } = await create('Unchanged');
    const res = await put(id, 'Unchanged', etag);
    expect(res.status).to.equal(200);
    expect(res.headers.get('etag')).to.equal(etag);
    expect((await put(id, 'Unchanged', etag)).status).to.equal(200);
  });

  it('when the consumer reports a status, then the version stays', async () => {
    const { game, eventId } = await createGameWithEvent(env, 'Status only');
    const report = await reportStatus(env, eventId, {
      status: 'completed',
      type: 'game',
      gameId: game.id,
      attempts: 1,
    });
    expect(report.status).to.equal(200);
    const read = await env.api(`/api/games/${game.id}`);
    expect(read.body.processingStatus).to.equal('completed');
    expect(read.headers.get('etag')).to.equal(`"${game.id}.1"`);
  });

  it('when a delete names a version the game moved on from, then 412 and the game stays; with the current one it goes', async () => {
    const { id, etag: stale } = await create('Doomed');
    const current = (await put(id, 'Doomed II', stale)).headers.get('etag')!;
    const before = await snapshot(env, id);

    const refused = await env.api(`/api/games/${id}`, {
      method: 'DELETE',
      headers: { 'if-match': stale },
    });
    expect(refused.status).to.equal(412);
    expect(refused.body.error.code).to.equal('PRECONDITION_FAILED');
    expect(await snapshot(env, id)).to.deep.equal(before);

    const deleted = await env.api(`/api/games/${id}`, {
      method: 'DELETE',
      headers: { 'if-match': current },
    });
    expect(deleted.status).to.equal(204);
    expect((await env.api(`/api/games/${id}`)).status).to.equal(404);
  });

  it("when If-Match names only another game's tag or a weak tag, then 412; in a list with the current tag, 200", async () => {
    const { id, etag } = await create('Picky');
    const other = await create('Other');
    expect((await put(id, 'Picky II', other.etag)).status).to.equal(412);
    expect((await put(id, 'Picky II', `W/${etag}`)).status).to.equal(412);
    expect((await put(id, 'Picky II', `"x", ${other.etag}, ${etag}`)).status).to.equal(200);
  });

  it('when If-Match is not a list of entity tags, then 400 naming the header and nothing changes', async () => {
    const { id } = await create('Malformed');
    const before = await snapshot(env, id);
    for (const value of [`${id}.1`, '"unclosed', '"a" "b"', '*, "1.1"']) {
      const res = await put(id, 'Malformed II', value);
      expect(res.status, value).to.equal(400);
      expect(res.body.error.details, value).to.deep.equal([
        { field: 'If-Match', message: 'must be * or a list of entity tags, e.g. "12.3"' },
      ]);
    }
    const res = await env.api(`/api/games/${id}`, {
      method: 'DELETE',
      headers: { 'if-match': 'nonsense' },
    });
    expect(res.status).to.equal(400);
    expect(await snapshot(env, id)).to.deep.equal(before);
  });

  it('when the game does not exist, then a conditional write answers 404', async () => {
    expect((await put(2_000_000, 'Ghost', '"2000000.1"')).status).to.equal(404);
    const res = await env.api('/api/games/2000000', {
      method: 'DELETE',
      headers: { 'if-match': '*' },
    });
    expect(res.status).to.equal(404);
  });
});
