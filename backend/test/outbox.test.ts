import { expect } from 'chai';
import type { GetMessage } from 'amqplib';
import { TcpProxy, waitFor } from '@retro/common/testing';
import type mysql from 'mysql2/promise';
import { startBackend } from '../src/index.js';
import { count, startTestEnv, TEST_TOKEN, validGame, type TestEnv } from './helpers.js';

const bodyOf = (m: GetMessage) => JSON.parse(m.content.toString('utf8'));

async function unpublished(sql: mysql.Pool): Promise<number> {
  const [[row]] = await sql.query<mysql.RowDataPacket[]>(
    'SELECT COUNT(*) AS n FROM outbox_events WHERE published_at IS NULL',
  );
  return Number(row!.n);
}

/** Event ids of the outbox, oldest first, grouped by game. */
async function outboxOrderByGame(sql: mysql.Pool): Promise<Map<number, string[]>> {
  const [rows] = await sql.query<mysql.RowDataPacket[]>(
    'SELECT event_id, game_id FROM outbox_events ORDER BY id',
  );
  const byGame = new Map<number, string[]>();
  for (const r of rows) byGame.set(r.game_id, [...(byGame.get(r.game_id) ?? []), r.event_id]);
  return byGame;
}

/** Event ids as delivered, first delivery only, grouped by game. */
function deliveredOrderByGame(messages: GetMessage[]): Map<number, string[]> {
  const seen = new Set<string>();
  const byGame = new Map<number, string[]>();
  for (const m of messages) {
    const { eventId, gameId } = bodyOf(m);
    if (seen.has(eventId)) continue;
    seen.add(eventId);
    byGame.set(gameId, [...(byGame.get(gameId) ?? []), eventId]);
  }
  return byGame;
}

describe('outbox relay', () => {
  describe('when the broker is up', () => {
    let env: TestEnv;
    before(async () => {
      env = await startTestEnv('outbox');
    });
    after(async () => env.cleanup());

    it('declares game_events durable with no arguments, and the retry and parking queues', async () => {
      const { main, retry, dlq } = env.queues;
      await waitFor('all three queues declared', async () => {
        for (const queue of [main, retry, dlq]) await env.probe.messageCount(queue);
        return true;
      });
      // the original producer and consumer declare it exactly so: the broker would refuse a mismatch
      await env.probe.declare(main, { durable: true });
      const mismatch = await env.probe
        .declare(main, { durable: true, arguments: { 'x-max-length': 10 } })
        .then(
          () => 'accepted',
          (error: Error) => error.message,
        );
      expect(mismatch).to.match(/PRECONDITION_FAILED/);
      await env.probe.declare(retry, {
        durable: true,
        arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': main },
      });
      await env.probe.declare(dlq, { durable: true });
    });

    it('publishes exactly one persistent message per create, update and delete, with the contract body', async () => {
      const created = await env.api('/api/games', { method: 'POST', body: validGame() });
      const updated = await env.api(`/api/games/${created.body.id}`, {
        method: 'PUT',
        body: validGame({ title: 'Super Contra', releaseYear: 1990 }),
      });
      await env.api(`/api/games/${created.body.id}`, { method: 'DELETE' });
      await waitFor(
        'three messages',
        async () => (await env.probe.messageCount(env.queues.main)) >= 3,
      );
      const messages = await env.probe.drain(env.queues.main);
      expect(messages).to.have.length(3);
      const [create, update, remove] = messages.map(bodyOf);
      expect(create).to.include({ gameId: created.body.id, action: 'create' });
      expect(create.gameData).to.deep.equal(created.body);
      expect(update).to.include({ gameId: created.body.id, action: 'update' });
      expect(update.gameData).to.deep.equal(updated.body);
      expect(remove).to.include({ gameId: created.body.id, action: 'delete' });
      expect(remove.gameData.title).to.equal('Super Contra');
      for (const [i, m] of messages.entries()) {
        const body = bodyOf(m);
        expect(body.eventId).to.be.a('string');
        expect(Number.isNaN(Date.parse(body.timestamp))).to.equal(false);
        expect(m.properties.messageId, `message ${i}`).to.equal(body.eventId);
        expect(m.properties.deliveryMode).to.equal(2);
        expect(m.properties.contentType).to.equal('application/json');
      }
      expect(await unpublished(env.sql)).to.equal(0);
    });

    it('creates the pending processing task in the same transaction as the event', async () => {
      const created = await env.api('/api/games', { method: 'POST', body: validGame() });
      await waitFor('message', async () => (await env.probe.messageCount(env.queues.main)) >= 1);
      const [message] = await env.probe.drain(env.queues.main);
      const task = await env.api(`/api/tasks/${message!.properties.messageId}`);
      expect(task.body).to.include({
        type: 'game',
        gameId: created.body.id,
        action: 'create',
        status: 'pending',
        attempts: 0,
      });
    });

    it('publishes nothing and records no event when a write is rejected', async () => {
      const events = await count(env.sql, 'outbox_events');
      await env.api('/api/games', { method: 'POST', body: validGame({ platformId: 999 }) });
      expect(await count(env.sql, 'outbox_events')).to.equal(events);
      expect(await env.probe.messageCount(env.queues.main)).to.equal(0);
    });

    it('rolls a refused create back whole and frees its connection, however many are refused in a row', async () => {
      const tables = ['games', 'outbox_events', 'processing_tasks'] as const;
      const before = await Promise.all(tables.map((t) => count(env.sql, t)));
      // more than the pool's 20 connections: a transaction left open would hold one for good
      for (let i = 0; i < 30; i++) {
        const res = await env.api('/api/games', {
          method: 'POST',
          body: validGame({ genreId: 999 }),
        });
        expect(res.status).to.equal(400);
      }
      expect(await Promise.all(tables.map((t) => count(env.sql, t)))).to.deep.equal(before);
      const created = await env.api('/api/games', { method: 'POST', body: validGame() });
      expect(created.status).to.equal(201);
      const [[row]] = await env.sql.query<mysql.RowDataPacket[]>(
        'SELECT game_id, payload FROM outbox_events WHERE game_id = ?',
        [created.body.id],
      );
      const payload = typeof row!.payload === 'string' ? JSON.parse(row!.payload) : row!.payload;
      expect(payload).to.include({ gameId: created.body.id, action: 'create' });
      expect(payload.gameData).to.deep.equal(created.body);
      await waitFor('the event', async () => (await env.probe.messageCount(env.queues.main)) >= 1);
      await env.probe.drain(env.queues.main);
    });
  });

  describe('when the broker connection is cut during writes', () => {
    let env: TestEnv;
    let proxy: TcpProxy;
    before(async () => {
      proxy = new TcpProxy('127.0.0.1', 5672);
      const port = await proxy.start();
      env = await startTestEnv('outage', {
        config: { RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${port}` },
      });
      await waitFor('relay connected', async () => (await env.api('/ready')).status === 200);
    });
    after(async () => {
      await env.cleanup();
      await proxy.stop();
    });

    it('keeps accepting writes, then publishes every event, in order per game, once it returns', async () => {
      const gameIds: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await env.api('/api/games', {
          method: 'POST',
          body: validGame({ title: `Before ${i}` }),
        });
        gameIds.push(res.body.id);
      }
      proxy.disconnect();
      await waitFor('readiness to report the broker down', async () => {
        const ready = await env.api('/ready');
        return ready.status === 503 && ready.body.rabbitmq === 'down';
      });
      for (let round = 0; round < 4; round++) {
        for (const id of gameIds) {
          const res = await env.api(`/api/games/${id}`, {
            method: 'PUT',
            body: validGame({ title: `Outage ${round} of ${id}` }),
          });
          expect(res.status).to.equal(200);
        }
      }
      const created = await env.api('/api/games', {
        method: 'POST',
        body: validGame({ title: 'During' }),
      });
      expect(created.status).to.equal(201);
      expect(await unpublished(env.sql)).to.be.greaterThan(0);
      proxy.restore();

      const total = await count(env.sql, 'outbox_events');
      await waitFor('every event published', async () => (await unpublished(env.sql)) === 0, {
        timeoutMs: 30_000,
      });
      const messages = await env.probe.drain(env.queues.main);
      const delivered = new Set(messages.map((m) => bodyOf(m).eventId));
      expect(delivered.size).to.equal(total);
      expect(deliveredOrderByGame(messages)).to.deep.equal(await outboxOrderByGame(env.sql));
    });
  });

  describe('with two backends relaying from one database', () => {
    let env: TestEnv;
    let second: Awaited<ReturnType<typeof startBackend>>;
    before(async () => {
      env = await startTestEnv('two_relays', { relayPollIntervalMs: 20 });
      second = await startBackend({
        queues: env.queues,
        relayPollIntervalMs: 20,
        config: {
          DB_NAME: env.db.database,
          BACKEND_PORT: 0,
          INTERNAL_API_TOKEN: TEST_TOKEN,
          LOG_LEVEL: 'error',
        },
      });
    });
    after(async () => {
      await second.stop();
      await env.cleanup();
    });

    it('never publishes one event twice and keeps each game in order', async () => {
      const [[{ maxId }]] = (await env.sql.query(
        'SELECT MAX(id) AS maxId FROM games',
      )) as unknown as [[{ maxId: number }]];
      // 2,000 events for 40 games written straight into the outbox, then both relays race for them.
      const rows: unknown[][] = [];
      for (let i = 0; i < 2000; i++) {
        const gameId = maxId + 1 + (i % 40);
        const eventId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
        rows.push([
          eventId,
          gameId,
          'update',
          JSON.stringify({ eventId, gameId, action: 'update', seq: i }),
        ]);
      }
      await env.sql.query(
        'INSERT INTO outbox_events (event_id, game_id, action, payload) VALUES ?',
        [rows],
      );
      env.backend.relay.wake();
      second.relay.wake();
      await waitFor('every event published', async () => (await unpublished(env.sql)) === 0, {
        timeoutMs: 30_000,
      });
      await waitFor(
        'all messages queued',
        async () => (await env.probe.messageCount(env.queues.main)) >= 2000,
      );
      const messages = await env.probe.drain(env.queues.main);
      expect(messages).to.have.length(2000);
      expect(new Set(messages.map((m) => m.properties.messageId)).size).to.equal(2000);
      expect(deliveredOrderByGame(messages)).to.deep.equal(await outboxOrderByGame(env.sql));
    });
  });
});
