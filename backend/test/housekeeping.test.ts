import { createLogger } from '@retro/common';
import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import type mysql from 'mysql2/promise';
import { Housekeeping } from '../src/housekeeping/housekeeping.js';
import { TEST_TOKEN, startTestEnv, validGame, type TestEnv } from './helpers.js';

const HOUR = 3_600_000;

describe('housekeeping: pruning old outbox rows and finished tasks', () => {
  let env: TestEnv;

  before(async () => {
    env = await startTestEnv('housekeeping', {
      config: {
        OUTBOX_RETENTION_MS: HOUR,
        TASK_RETENTION_MS: 2 * HOUR,
        HOUSEKEEPING_INTERVAL_MS: 86_400_000, // runs only when a test asks
      },
    });
  });
  after(() => env?.cleanup());

  /** Creates a game through the API; resolves with its id and its create event's id. */
  async function createGame(title: string) {
    const created = await env.api('/api/games', { method: 'POST', body: validGame({ title }) });
    expect(created.status).to.equal(201);
    const tasks = await env.api(`/api/tasks?gameId=${created.body.id}`);
    return { gameId: created.body.id as number, eventId: tasks.body[0].messageId as string };
  }

  async function published(eventId: string) {
    await waitFor(`${eventId} to be published`, async () => {
      const [[row]] = await env.sql.query<mysql.RowDataPacket[]>(
        'SELECT published_at FROM outbox_events WHERE event_id = ?',
        [eventId],
      );
      return row?.published_at ? true : undefined;
    });
  }

  /** Ages a task (status, hours since its last change) and its outbox row (hours since publishing). */
  async function age(
    eventId: string,
    task: { status: string; hours: number },
    outboxHours: number | null,
  ) {
    await env.sql.query(
      'UPDATE processing_tasks SET status = ?, updated_at = NOW(3) - INTERVAL ? MINUTE WHERE message_id = ?',
      [task.status, Math.round(task.hours * 60), eventId],
    );
    await env.sql.query(
      `UPDATE outbox_events SET published_at = ${outboxHours === null ? 'NULL' : 'NOW(3) - INTERVAL ? MINUTE'}
       WHERE event_id = ?`,
      outboxHours === null ? [eventId] : [Math.round(outboxHours * 60), eventId],
    );
  }

  const exists = async (table: 'outbox_events' | 'processing_tasks', eventId: string) => {
    const column = table === 'outbox_events' ? 'event_id' : 'message_id';
    const [rows] = await env.sql.query<mysql.RowDataPacket[]>(
      `SELECT 1 FROM ${table} WHERE ${column} = ?`,
      [eventId],
    );
    return rows.length > 0;
  };

  it('prunes only what is past its retention and finished, and never an unpublished row, an unfinished task or the record of a failed one', async () => {
    const games = await Promise.all(
      ['A', 'B', 'C', 'D', 'E'].map((t) => createGame(`Pruned ${t}`)),
    );
    for (const game of games) await published(game.eventId);
    const [a, b, c, d, e] = games.map((g) => g.eventId) as [string, string, string, string, string];
    await age(a, { status: 'completed', hours: 3 }, 3); // both past retention: pruned
    await age(b, { status: 'failed', hours: 1.5 }, 3); // failed, task kept: its outbox row stays
    await age(c, { status: 'pending', hours: 10 }, null); // stalled, unpublished: both stay
    await age(d, { status: 'completed', hours: 0.1 }, 0.1); // recent: both stay
    await age(e, { status: 'failed', hours: 3 }, 3); // failed but past task retention: both go

    const result = await env.backend.housekeeping.runOnce();
    expect(result).to.deep.equal({ tasks: 2, outbox: 2, sessions: 0, audit: 0, deadLettered: 0 });
    expect([await exists('processing_tasks', a), await exists('outbox_events', a)]).to.deep.equal([
      false,
      false,
    ]);
    expect([await exists('processing_tasks', b), await exists('outbox_events', b)]).to.deep.equal([
      true,
      true,
    ]);
    expect([await exists('processing_tasks', c), await exists('outbox_events', c)]).to.deep.equal([
      true,
      true,
    ]);
    expect([await exists('processing_tasks', d), await exists('outbox_events', d)]).to.deep.equal([
      true,
      true,
    ]);
    expect([await exists('processing_tasks', e), await exists('outbox_events', e)]).to.deep.equal([
      false,
      false,
    ]);

    // the failed task whose event is older than the outbox retention can still be retried
    const retried = await env.api(`/api/tasks/${b}/retry`, { method: 'POST' });
    expect(retried.status).to.equal(202);
    await published(b);
    const metrics = await env.metrics();
    expect(metrics).to.match(/housekeeping_rows_pruned_total\{table="processing_tasks"\} 2/);
    expect(metrics).to.match(/housekeeping_rows_pruned_total\{table="outbox_events"\} 2/);
  });

  it('after pruning, a late report about an older event still cannot change the game', async () => {
    const { gameId, eventId: older } = await createGame('Late report');
    await published(older);
    const updated = await env.api(`/api/games/${gameId}`, {
      method: 'PUT',
      body: validGame({ title: 'Late report, edited' }),
    });
    expect(updated.status).to.equal(200);
    await age(older, { status: 'completed', hours: 5 }, 5);
    await env.backend.housekeeping.runOnce();
    expect(await exists('processing_tasks', older)).to.equal(false);
    expect(await exists('outbox_events', older)).to.equal(false);

    const late = await env.api('/api/internal/tasks/status', {
      method: 'PUT',
      token: TEST_TOKEN,
      body: {
        updates: [
          {
            messageId: older,
            status: 'failed',
            type: 'game',
            gameId,
            action: 'create',
            attempts: 4,
          },
        ],
      },
    });
    expect(late.status).to.equal(200);
    const game = await env.api(`/api/games/${gameId}`);
    expect(game.body.processingStatus).to.equal('pending'); // still the newer event's
  });

  it('works in small batches with pauses, and leaves what one run may not do to the next', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const { eventId } = await createGame(`Batch ${i}`);
      await published(eventId);
      await age(eventId, { status: 'completed', hours: 3 }, 3);
      ids.push(eventId);
    }
    const batches: number[] = [];
    const housekeeping = new Housekeeping({
      pool: env.sql,
      logger: createLogger('housekeeping-test', 'error'),
      outboxRetentionMs: HOUR,
      taskRetentionMs: 2 * HOUR,
      intervalMs: 86_400_000,
      batchSize: 2,
      maxBatches: 2,
      onPruned: (_table, rows) => batches.push(rows),
    });
    expect(await housekeeping.runOnce()).to.deep.equal({
      tasks: 4,
      outbox: 4,
      sessions: 0,
      audit: 0,
      deadLettered: 0,
    });
    expect(await housekeeping.runOnce()).to.deep.equal({
      tasks: 3,
      outbox: 3,
      sessions: 0,
      audit: 0,
      deadLettered: 0,
    });
    expect(await housekeeping.runOnce()).to.deep.equal({
      tasks: 0,
      outbox: 0,
      sessions: 0,
      audit: 0,
      deadLettered: 0,
    });
    for (const id of ids) expect(await exists('processing_tasks', id)).to.equal(false);
  });

  it('prunes audit entries past AUDIT_RETENTION_MS in bounded batches, and counts them', async () => {
    const DAY = 24 * HOUR;
    await env.sql.query(
      `INSERT INTO audit_log (at, service, actor, action, target) VALUES
         (NOW(3) - INTERVAL 100 DAY, 'backend', 'old-a', 'game.update', 'game:1'),
         (NOW(3) - INTERVAL 95 DAY, 'producer', 'old-b', 'dead-letter.delete', NULL),
         (NOW(3) - INTERVAL 91 DAY, 'backend', 'old-c', 'game.delete', 'game:2'),
         (NOW(3) - INTERVAL 89 DAY, 'backend', 'kept-a', 'game.update', 'game:3'),
         (NOW(3) - INTERVAL 1 DAY, 'backend', 'kept-b', 'game.update', 'game:4')`,
    );
    const pruned: Record<string, number> = {};
    const housekeeping = new Housekeeping({
      pool: env.sql,
      logger: createLogger('housekeeping-test', 'error'),
      outboxRetentionMs: HOUR,
      taskRetentionMs: 2 * HOUR,
      auditRetentionMs: 90 * DAY,
      intervalMs: 86_400_000,
      batchSize: 2,
      onPruned: (table, rows) => (pruned[table] = (pruned[table] ?? 0) + rows),
    });
    expect(await housekeeping.runOnce()).to.include({ audit: 3 });
    expect(pruned.audit_log).to.equal(3);
    const [rows] = await env.sql.query<mysql.RowDataPacket[]>(
      "SELECT actor FROM audit_log WHERE actor LIKE 'old-%' OR actor LIKE 'kept-%' ORDER BY actor",
    );
    expect(rows.map((r) => r.actor)).to.deep.equal(['kept-a', 'kept-b']);
    expect(await housekeeping.runOnce()).to.include({ audit: 0 });
  });

  it('runs on one backend at a time', async () => {
    const connection = await env.sql.getConnection();
    try {
      await connection.query("SELECT GET_LOCK('retro_games_catalog.housekeeping', 0)");
      expect(await env.backend.housekeeping.runOnce()).to.equal(null);
    } finally {
      await connection.query("SELECT RELEASE_LOCK('retro_games_catalog.housekeeping')");
      connection.release();
    }
    expect(await env.backend.housekeeping.runOnce()).to.not.equal(null);
  });
});
