import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import type { RowDataPacket } from 'mysql2/promise';
import { type ProducerTestEnv, clearArchive, startProducerTestEnv } from './helpers.js';
import { park, poisonMessages } from './parking.js';

interface AuditRow {
  service: string;
  actor: string | null;
  role: string | null;
  action: string;
  target: string | null;
  detail: Record<string, unknown> | null;
}

/** Every change the producer makes is in the shared audit trail under the signed-in account. */
describe('message producer: the audit trail names the signed-in account', function () {
  this.timeout(60_000);
  let h: ProducerTestEnv;
  const claim = { 'X-Actor': 'mallory' }; // a header anyone can send: never believed

  before(async () => {
    h = await startProducerTestEnv('producer_audit');
  });
  after(async () => h?.cleanup());
  beforeEach(async () => {
    await clearArchive(h.db);
    await h.db.query('DELETE FROM audit_log');
    await h.probe.drain(h.queues.main);
  });

  const auditRows = async (): Promise<AuditRow[]> => {
    const [rows] = await h.db.query<RowDataPacket[]>(
      'SELECT service, actor, role, action, target, detail FROM audit_log ORDER BY id',
    );
    return rows.map((r) => ({
      service: r.service,
      actor: r.actor,
      role: r.role,
      action: r.action,
      target: r.target,
      detail: typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail,
    }));
  };

  it('when a tester publishes each kind and a bulk, claiming to be someone else, then each is recorded under the tester', async () => {
    const tester = h.as('tester');
    const post = (path: string, body: unknown) =>
      tester(path, { method: 'POST', body, headers: claim });
    const custom = await post('/api/messages/custom', { message: 'audited' });
    const game = await post('/api/messages/game-event', { gameId: 3, action: 'process' });
    const raw = await post('/api/messages/raw', { body: '{"broken": ' });
    const bulk = await post('/api/messages/bulk', {
      kind: 'custom',
      count: 3,
      payload: { message: 'many' },
    });
    const refused = await post('/api/messages/custom', {}); // invalid: nothing happened

    expect([custom.status, game.status, raw.status, bulk.status]).to.deep.equal([
      201, 201, 201, 202,
    ]);
    expect(refused.status).to.equal(400);
    const rows = await auditRows();
    expect(rows.map((r) => [r.action, r.target])).to.deep.equal([
      ['message.publish', `message:${custom.body.messageId}`],
      ['message.publish', `message:${game.body.messageId}`],
      ['message.publish', `message:${raw.body.messageId}`],
      ['message.bulk', `bulk:${bulk.body.jobId}`],
    ]);
    for (const row of rows) {
      expect(row).to.include({ service: 'message-producer', actor: 'test-tester', role: 'tester' });
    }
    expect(rows[0]!.detail).to.include({ kind: 'custom', queue: h.queues.main });
    expect(rows[3]!.detail).to.include({ kind: 'custom', count: 3 });
  });

  it('when an operator replays, cancels, edits, deletes and restores, claiming to be someone else, then both trails name the operator', async () => {
    const operator = h.as('operator');
    const post = (path: string, body: unknown) =>
      operator(path, { method: 'POST', body, headers: claim });
    await park(h.queues.dlq, poisonMessages(6));
    await h.archived(6);
    const ids = ((await h.get('/api/dead-letters')).body as { id: number }[]).map((s) => s.id);

    const slow = await post('/api/dead-letters/replays', { ids: ids.slice(0, 3), rate: 1 });
    const cancelled = await post(`/api/dead-letters/replays/${slow.body.jobId}/cancel`, {});
    await waitFor('the replay to end', async () => {
      const job = (await h.get(`/api/dead-letters/replays/${slow.body.jobId}`)).body;
      return job.status !== 'running';
    });
    const edited = await post(`/api/dead-letters/${ids[3]}/edit-and-replay`, {
      body: { type: 'custom', message: 'fixed' },
    });
    const deleted = await operator(`/api/dead-letters/${ids[4]}`, {
      method: 'DELETE',
      headers: claim,
    });
    const restored = await post('/api/dead-letters/restore', { ids: [ids[4]] });
    const dlq = await post('/api/dlq/replay', { all: true });

    expect([slow.status, cancelled.status, edited.status, deleted.status]).to.deep.equal([
      202, 202, 201, 204,
    ]);
    expect([restored.status, dlq.status]).to.deep.equal([200, 200]);
    const rows = await auditRows();
    expect(rows.map((r) => [r.action, r.target])).to.deep.equal([
      ['dead-letter.replay', `replay:${slow.body.jobId}`],
      ['dead-letter.replay-cancel', `replay:${slow.body.jobId}`],
      ['dead-letter.edit-and-replay', `dead-letter:${ids[3]}`],
      ['dead-letter.delete', `dead-letter:${ids[4]}`],
      ['dead-letter.restore', `dead-letter:${ids[4]}`],
      ['dlq.replay', rows[5]!.target],
    ]);
    expect(rows[5]!.target).to.match(/^replay:/);
    for (const row of rows) {
      expect(row).to.include({ actor: 'test-operator', role: 'operator' });
    }
    expect(rows[2]!.detail).to.include({ messageId: edited.body.messageId });
    expect(rows[3]!.detail).to.include({ deleted: 1 });

    const consoleTrail = (await h.get('/api/dead-letters/audit?limit=50')).body as {
      action: string;
      actor: string;
    }[];
    expect(consoleTrail.map((e) => e.action)).to.have.members([
      'replay',
      'edit-and-replay',
      'delete',
      'restore',
      'replay',
    ]);
    expect(consoleTrail.every((e) => e.actor === 'test-operator')).to.equal(true);
    const [[mentions]] = await h.db.query<RowDataPacket[]>(
      `SELECT (SELECT COUNT(*) FROM audit_log WHERE actor = 'mallory')
            + (SELECT COUNT(*) FROM dead_letter_audit WHERE actor = 'mallory') AS n`,
    );
    expect(Number(mentions!.n)).to.equal(0);
  });
});
