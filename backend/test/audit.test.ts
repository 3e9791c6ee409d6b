import type { AuditRecord } from '@retro/common';
import { sessionCookieHeader, signInSession } from '@retro/common/testing';
import { expect } from 'chai';
import type mysql from 'mysql2/promise';
import {
  count,
  createGameWithEvent,
  reportStatus,
  startTestEnv,
  validGame,
  type TestEnv,
} from './helpers.js';

const FULL_FIELDS = {
  title: 'Audited',
  platformId: 1,
  genreId: 3,
  developer: 'Konami',
  releaseYear: 1987,
  yearCategory: '1980s',
  description: 'Run-and-gun through alien bases.',
  imageUrl: null,
};

describe('audit trail of backend changes', () => {
  let env: TestEnv;
  before(async () => {
    env = await startTestEnv('audit');
  });
  after(async () => env.cleanup());

  const auditRows = async () => {
    const [[row]] = await env.sql.query<mysql.RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM audit_log',
    );
    return Number(row!.n);
  };
  const history = async (id: number) =>
    (await env.api<AuditRecord[]>(`/api/games/${id}/history`)).body;

  it('when an editor creates a game claiming to be someone else (X-Actor), then the entry names the account of the token', async () => {
    const res = await env.api('/api/games', {
      method: 'POST',
      body: validGame({ title: 'Audited' }),
      headers: { 'x-actor': 'mallory', 'x-user': 'mallory' },
    });
    expect(res.status).to.equal(201);

    const [entry] = await history(res.body.id);
    expect(entry).to.deep.include({
      service: 'backend',
      actor: 'test-editor',
      role: 'editor',
      action: 'game.create',
      target: `game:${res.body.id}`,
      requestId: res.headers.get('x-request-id'),
      detail: { before: null, after: FULL_FIELDS },
    });
  });

  it('when a tester changes a game with a session cookie, then the entry names the tester and only the fields that changed', async () => {
    const { game } = await createGameWithEvent(env, 'Before');
    const session = await signInSession(env.backend.url, env.accounts.tester);

    const res = await env.anonymous(`/api/games/${game.id}`, {
      method: 'PUT',
      body: validGame({ title: 'After', releaseYear: 1991 }),
      headers: { cookie: sessionCookieHeader(session), 'x-actor': 'mallory' },
    });
    expect(res.status).to.equal(200);

    const [entry] = await history(game.id);
    expect(entry).to.deep.include({
      actor: 'test-tester',
      role: 'tester',
      action: 'game.update',
      detail: {
        before: { title: 'Before', releaseYear: 1987, yearCategory: '1980s' },
        after: { title: 'After', releaseYear: 1991, yearCategory: '1990s' },
      },
    });
  });

  it('when a game is created, changed twice and deleted, then its history lists who did what, newest first', async () => {
    const { game } = await createGameWithEvent(env, 'Chronicle');
    const put = (body: Record<string, unknown>) =>
      env.api(`/api/games/${game.id}`, { method: 'PUT', body: validGame(body) });
    expect((await put({ title: 'Chronicle II' })).status).to.equal(200);
    const operator = env.as('operator');
    const second = await operator(`/api/games/${game.id}`, {
      method: 'PUT',
      body: validGame({ title: 'Chronicle II', description: 'Longer.' }),
    });
    expect(second.status).to.equal(200);
    expect((await env.api(`/api/games/${game.id}`, { method: 'DELETE' })).status).to.equal(204);

    const res = await env.api<AuditRecord[]>(`/api/games/${game.id}/history`);
    expect(res.headers.get('x-total-count')).to.equal('4');
    expect(res.body.map((e) => [e.action, e.actor])).to.deep.equal([
      ['game.delete', 'test-editor'],
      ['game.update', 'test-operator'],
      ['game.update', 'test-editor'],
      ['game.create', 'test-editor'],
    ]);
    expect(res.body[1]!.detail).to.deep.equal({
      before: { description: 'Run-and-gun through alien bases.' },
      after: { description: 'Longer.' },
    });
    expect(res.body[0]!.detail).to.deep.equal({
      before: { ...FULL_FIELDS, title: 'Chronicle II', description: 'Longer.' },
      after: null,
    });
    const limited = await env.api<AuditRecord[]>(`/api/games/${game.id}/history?limit=1`);
    expect(limited.body.map((e) => e.action)).to.deep.equal(['game.delete']);
  });

  it('when a create fails validation or a foreign key, then no audit entry is written with it', async () => {
    const before = { audit: await auditRows(), games: await count(env.sql, 'games') };

    const invalid = await env.api('/api/games', { method: 'POST', body: validGame({ title: '' }) });
    const unknownPlatform = await env.api('/api/games', {
      method: 'POST',
      body: validGame({ platformId: 999_999 }),
    });

    expect(invalid.status).to.equal(400);
    expect(unknownPlatform.status).to.equal(400);
    expect(unknownPlatform.body.error.details[0].field).to.equal('platformId');
    expect({ audit: await auditRows(), games: await count(env.sql, 'games') }).to.deep.equal(
      before,
    );
  });

  it('when an update fails a foreign key, then neither the game, its version nor the audit trail changes', async () => {
    const { game } = await createGameWithEvent(env, 'Kept');
    const before = { audit: await auditRows(), read: await env.api(`/api/games/${game.id}`) };

    const res = await env.api(`/api/games/${game.id}`, {
      method: 'PUT',
      body: validGame({ title: 'Kept II', genreId: 999_999 }),
    });

    expect(res.status).to.equal(400);
    expect(res.body.error.details[0].field).to.equal('genreId');
    const read = await env.api(`/api/games/${game.id}`);
    expect(read.body).to.deep.equal(before.read.body);
    expect(read.headers.get('etag')).to.equal(before.read.headers.get('etag'));
    expect(await auditRows()).to.equal(before.audit);
  });

  it('when an editor retries a failed task, then task.retry names the editor; a refused retry writes nothing', async () => {
    const { game, eventId } = await createGameWithEvent(env, 'Retried');
    const before = await auditRows();
    const refused = await env.api(`/api/tasks/${eventId}/retry`, { method: 'POST' });
    expect(refused.status).to.equal(409);
    expect(await auditRows()).to.equal(before);

    const failed = { status: 'failed', type: 'game', gameId: game.id, attempts: 4, error: 'x' };
    expect((await reportStatus(env, eventId, failed)).status).to.equal(200);
    const res = await env.api(`/api/tasks/${eventId}/retry`, {
      method: 'POST',
      headers: { 'x-actor': 'mallory' },
    });
    expect(res.status).to.equal(202);

    const operator = env.as('operator');
    const entries = await operator<AuditRecord[]>(
      `/api/audit?action=task.retry&target=task:${eventId}`,
    );
    expect(entries.body).to.have.length(1);
    expect(entries.body[0]).to.deep.include({
      actor: 'test-editor',
      role: 'editor',
      target: `task:${eventId}`,
      detail: { gameId: game.id, before: { status: 'failed', attempts: 4, stalled: false } },
    });
  });

  describe('GET /api/audit', () => {
    it('when an editor asks, then 403; when no one is signed in, then 401', async () => {
      const editor = await env.api('/api/audit');
      expect(editor.status).to.equal(403);
      expect(editor.body.error.code).to.equal('FORBIDDEN');
      const anonymous = await env.anonymous('/api/audit');
      expect(anonymous.status).to.equal(401);
      expect(anonymous.body.error.code).to.equal('UNAUTHORIZED');
    });

    it('when an operator asks, then entries come newest first, filtered by actor, action, target and time, paged with a total', async () => {
      const operator = env.as('operator');
      const tester = env.as('tester');
      const ids: number[] = [];
      for (const title of ['Paged 1', 'Paged 2', 'Paged 3']) {
        const res = await tester('/api/games', {
          method: 'POST',
          body: validGame({ title }),
        });
        ids.push(res.body.id);
      }

      const all = await operator<AuditRecord[]>('/api/audit?actor=test-tester&action=game.create');
      expect(all.status).to.equal(200);
      expect(all.headers.get('x-total-count')).to.equal('3');
      expect(all.body.map((e) => e.target)).to.deep.equal(
        [...ids].reverse().map((id) => `game:${id}`),
      );

      const page = await operator<AuditRecord[]>(
        '/api/audit?actor=test-tester&action=game.create&limit=1&offset=1',
      );
      expect(page.headers.get('x-total-count')).to.equal('3');
      expect(page.body.map((e) => e.target)).to.deep.equal([`game:${ids[1]}`]);

      const byTarget = await operator<AuditRecord[]>(`/api/audit?target=game:${ids[0]}`);
      expect(byTarget.body.map((e) => e.action)).to.deep.equal(['game.create']);

      // `from` inclusive, `to` exclusive
      const newest = all.body[0]!;
      const from = await operator<AuditRecord[]>(`/api/audit?actor=test-tester&from=${newest.at}`);
      expect(from.body.map((e) => e.id)).to.include(newest.id);
      const to = await operator<AuditRecord[]>(`/api/audit?actor=test-tester&to=${newest.at}`);
      expect(to.body.map((e) => e.id)).to.not.include(newest.id);
      const nothing = await operator('/api/audit?actor=nobody-at-all');
      expect(nothing.body).to.deep.equal([]);
      expect(nothing.headers.get('x-total-count')).to.equal('0');
    });

    it('when a parameter is unknown, repeated or malformed, then 400 naming it', async () => {
      const operator = env.as('operator');
      for (const [query, field] of [
        ['user=test-editor', 'user'],
        ['actor=a&actor=b', 'actor'],
        ['from=yesterday', 'from'],
        ['limit=0', 'limit'],
      ] as const) {
        const res = await operator(`/api/audit?${query}`);
        expect(res.status, query).to.equal(400);
        expect(
          res.body.error.details.map((d: { field: string }) => d.field),
          query,
        ).to.include(field);
      }
    });
  });
});
