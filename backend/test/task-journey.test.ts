import type { JourneyEntry } from '@retro/common';
import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import type mysql from 'mysql2/promise';
import {
  TEST_TOKEN,
  createGameWithEvent,
  startTestEnv,
  validGame,
  type TestEnv,
} from './helpers.js';

const HOUR = 3_600_000;

/** The consumer's batched status write, with whatever journey steps each report carries. */
async function report(env: TestEnv, updates: Record<string, unknown>[]) {
  const res = await fetch(`${env.backend.url}/api/internal/tasks/status`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` },
    body: JSON.stringify({ updates }),
  });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).to.equal(200);
  return body;
}

const note = (stage: string, detail: Record<string, unknown> = {}, at = new Date()) => ({
  at: at.toISOString(),
  stage,
  instance: 'consumer-test',
  detail,
});

describe("a message's journey (GET /api/tasks/:messageId/journey)", () => {
  let env: TestEnv;

  before(async () => {
    env = await startTestEnv('task_journey', {
      config: { TASK_RETENTION_MS: HOUR, HOUSEKEEPING_INTERVAL_MS: 86_400_000 },
    });
  });
  after(() => env?.cleanup());

  const journey = async (messageId: string) => {
    const res = await env.as('viewer')(`/api/tasks/${encodeURIComponent(messageId)}/journey`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as { messageId: string; entries: JourneyEntry[] };
  };

  it('when a game is created, then its event was written by the request (id, actor) and published by the relay', async () => {
    const { eventId } = await createGameWithEvent(env, 'Journey game');
    const published = await waitFor('the published step', async () => {
      const body = await journey(eventId);
      return body.entries.some((e) => e.stage === 'published') ? body : undefined;
    });
    expect(published.messageId).to.equal(eventId);
    const [written, relayed] = published.entries;
    expect(written).to.include({ stage: 'written', service: 'backend' });
    expect(written!.detail).to.include({ action: 'create' });
    expect(written!.detail.actor).to.match(/editor/);
    expect(written!.detail.requestId).to.be.a('string').with.length.above(0);
    expect(relayed).to.include({ stage: 'published', service: 'relay' });
    expect(relayed!.instance).to.be.a('string');
    expect(relayed!.at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(relayed!.at)).to.be.at.least(Date.parse(written!.at));
  });

  it('when 40 games are created at once, then every create succeeds and each event has its written step', async () => {
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        env.api('/api/games', { method: 'POST', body: validGame({ title: `Parallel ${i}` }) }),
      ),
    );
    expect(created.map((r) => r.status)).to.deep.equal(created.map(() => 201));
    const [rows] = await env.sql.query<mysql.RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM task_journey WHERE stage = 'written'
         AND message_id IN (SELECT event_id FROM outbox_events WHERE game_id IN (?))`,
      [created.map((r) => r.body.id)],
    );
    expect(Number(rows[0]!.n)).to.equal(40);
  });

  it("when reports carry the consumer's steps, then they are written with the report, in time order; a completion the task ignores is a duplicate", async () => {
    const id = 'journey-custom-1';
    const t0 = Date.now();
    const at = (ms: number) => new Date(t0 + ms);
    await report(env, [
      {
        messageId: id,
        status: 'processing',
        type: 'custom',
        attempts: 1,
        journey: [note('delivered', { attempt: 1 }, at(0))],
      },
    ]);
    await report(env, [
      {
        messageId: id,
        status: 'processing',
        type: 'custom',
        attempts: 1,
        journey: [
          note('attempt-failed', { error: 'boom' }, at(5)),
          note('retry-scheduled', { tier: '1s' }, at(6)),
        ],
      },
      {
        messageId: id,
        status: 'completed',
        type: 'custom',
        attempts: 2,
        journey: [note('delivered', { attempt: 2 }, at(1000)), note('completed', {}, at(1010))],
      },
    ]);
    // a redelivery after the completion, and a report from a consumer without journeys
    await report(env, [
      {
        messageId: id,
        status: 'completed',
        type: 'custom',
        attempts: 2,
        journey: [note('completed', {}, at(2000))],
      },
      { messageId: id, status: 'completed', type: 'custom', attempts: 2 },
    ]);
    const { entries } = await journey(id);
    expect(entries.map((e) => e.stage)).to.deep.equal([
      'delivered',
      'attempt-failed',
      'retry-scheduled',
      'delivered',
      'completed',
      'duplicate',
    ]);
    expect(entries[2]).to.deep.include({ service: 'consumer', instance: 'consumer-test' });
    expect(entries[2]!.detail).to.deep.equal({ tier: '1s' });
  });

  it('when a message has 100 steps, then it keeps those and no more', async () => {
    const id = 'journey-bounded';
    for (let batch = 0; batch < 6; batch++) {
      const steps = Array.from({ length: 20 }, (_, i) =>
        note('handed-back', { n: batch * 20 + i }, new Date(Date.now() + batch * 20 + i)),
      );
      await report(env, [
        { messageId: id, status: 'processing', type: 'custom', attempts: 1, journey: steps },
      ]);
    }
    const { entries } = await journey(id);
    expect(entries).to.have.length(100);
    expect(entries.at(-1)!.detail.n).to.equal(99);
  });

  it('when a step is not one of the stages, then the report is refused with 400 and nothing is written', async () => {
    const res = await env.api('/api/internal/tasks/status', {
      method: 'PUT',
      token: TEST_TOKEN,
      body: {
        updates: [
          {
            messageId: 'journey-bad',
            status: 'processing',
            type: 'custom',
            journey: [{ at: new Date().toISOString(), stage: 'teleported' }],
          },
        ],
      },
    });
    expect(res.status).to.equal(400);
    expect((await env.as('viewer')('/api/tasks/journey-bad/journey')).status).to.equal(404);
  });

  it('for an unknown message, then 404', async () => {
    expect((await env.as('viewer')('/api/tasks/no-such-message/journey')).status).to.equal(404);
  });

  it('when housekeeping prunes a task, then its journey goes with it', async () => {
    const id = 'journey-pruned';
    await report(env, [
      {
        messageId: id,
        status: 'completed',
        type: 'custom',
        attempts: 1,
        journey: [note('completed')],
      },
    ]);
    await env.sql.query(
      'UPDATE processing_tasks SET updated_at = NOW(3) - INTERVAL 2 HOUR WHERE message_id = ?',
      [id],
    );
    await env.backend.housekeeping.runOnce();
    const [rows] = await env.sql.query<mysql.RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM task_journey WHERE message_id = ?',
      [id],
    );
    expect(Number(rows[0]!.n)).to.equal(0);
    expect((await journey('journey-custom-1')).entries).to.have.length.above(0);
  });
});
