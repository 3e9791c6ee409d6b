import { expect } from 'chai';
import { waitFor } from '@retro/common/testing';
import {
  createGameWithEvent,
  openTaskStream,
  reportStatus,
  startTestEnv,
  TEST_TOKEN,
  type TestEnv,
  validGame,
} from './helpers.js';

describe('processing tasks', () => {
  let env: TestEnv;
  before(async () => {
    env = await startTestEnv('tasks');
  });
  after(async () => env.cleanup());

  const report = (messageId: string, body: Record<string, unknown>, token = TEST_TOKEN) =>
    reportStatus(env, messageId, body, token);
  const createGame = (title?: string) => createGameWithEvent(env, title);

  describe('the status write', () => {
    it('is refused with 401 without the internal token or with a wrong one, and changes nothing', async () => {
      const { eventId } = await createGame();
      for (const token of ['', 'wrong-token-wrong-token']) {
        const res = await report(eventId, { status: 'completed', type: 'game' }, token);
        expect(res.status).to.equal(401);
        expect(res.body.error.code).to.equal('UNAUTHORIZED');
      }
      expect((await env.api(`/api/tasks/${eventId}`)).body.status).to.equal('pending');
    });

    it('answers 400 for an unknown status or a malformed body', async () => {
      const { eventId } = await createGame();
      const unknown = await report(eventId, { status: 'done', type: 'game' });
      expect(unknown.status).to.equal(400);
      expect(unknown.body.error.details[0].field).to.equal('status');
      expect(
        (await report(eventId, { status: 'completed', type: 'game', extra: 1 })).status,
      ).to.equal(400);
      expect((await report('bad id!', { status: 'completed', type: 'game' })).status).to.equal(400);
    });

    it('moves a task and its game through processing to completed', async () => {
      const { game, eventId } = await createGame();
      const processing = await report(eventId, {
        status: 'processing',
        type: 'game',
        gameId: game.id,
        action: 'create',
        attempts: 1,
      });
      expect(processing.status).to.equal(200);
      expect(processing.body.applied).to.equal(true);
      expect(processing.body.task).to.include({ status: 'processing', attempts: 1 });
      expect((await env.api(`/api/games/${game.id}`)).body.processingStatus).to.equal('processing');
      await report(eventId, { status: 'completed', type: 'game', gameId: game.id, attempts: 1 });
      expect((await env.api(`/api/games/${game.id}`)).body.processingStatus).to.equal('completed');
    });

    it('ignores a duplicate or late report that would move a finished task backwards', async () => {
      const { game, eventId } = await createGame();
      await report(eventId, { status: 'completed', type: 'game', gameId: game.id, attempts: 1 });
      for (const status of ['processing', 'pending', 'failed']) {
        const res = await report(eventId, { status, type: 'game', gameId: game.id, attempts: 2 });
        expect(res.body.applied, status).to.equal(false);
        expect(res.body.task.status).to.equal('completed');
      }
      expect((await env.api(`/api/games/${game.id}`)).body.processingStatus).to.equal('completed');
    });

    it('never lets an older event overwrite the status set by a newer event of the same game', async () => {
      const { game, eventId: createEvent } = await createGame('Stale check');
      await env.api(`/api/games/${game.id}`, {
        method: 'PUT',
        body: validGame({ title: 'Stale check 2' }),
      });
      const tasks = (await env.api(`/api/tasks?gameId=${game.id}`)).body;
      const updateEvent = tasks.find((t: { action: string }) => t.action === 'update').messageId;
      await report(updateEvent, {
        status: 'processing',
        type: 'game',
        gameId: game.id,
        attempts: 1,
      });
      // the create event finishes late: its task completes, the game keeps the newer event's status
      const late = await report(createEvent, {
        status: 'completed',
        type: 'game',
        gameId: game.id,
        attempts: 1,
      });
      expect(late.body.applied).to.equal(true);
      expect((await env.api(`/api/games/${game.id}`)).body.processingStatus).to.equal('processing');
      await report(updateEvent, {
        status: 'completed',
        type: 'game',
        gameId: game.id,
        attempts: 1,
      });
      expect((await env.api(`/api/games/${game.id}`)).body.processingStatus).to.equal('completed');
    });

    it('creates a task for a custom message on its first report', async () => {
      const res = await report('custom-1', { status: 'processing', type: 'custom', attempts: 1 });
      expect(res.body.task).to.include({
        messageId: 'custom-1',
        type: 'custom',
        gameId: null,
        status: 'processing',
      });
      await report('custom-1', {
        status: 'failed',
        type: 'custom',
        attempts: 4,
        error: 'simulated',
      });
      expect((await env.api('/api/tasks/custom-1')).body).to.include({
        status: 'failed',
        lastError: 'simulated',
        attempts: 4,
      });
    });

    it('lets a replayed message reopen its failed task, but never a completed one', async () => {
      await report('custom-replay', {
        status: 'failed',
        type: 'custom',
        attempts: 4,
        error: 'boom',
      });
      const reopened = await report('custom-replay', {
        status: 'processing',
        type: 'custom',
        attempts: 1,
        reopen: true,
      });
      expect(reopened.body.applied).to.equal(true);
      expect(reopened.body.task).to.include({ status: 'processing', attempts: 1 });
      await report('custom-replay', {
        status: 'completed',
        type: 'custom',
        attempts: 1,
        error: null,
      });
      const again = await report('custom-replay', {
        status: 'processing',
        type: 'custom',
        attempts: 1,
        reopen: true,
      });
      expect(again.body.applied).to.equal(false);
      expect(again.body.task.status).to.equal('completed');
    });

    it("keeps the original consumer's process-complete write behind the token", async () => {
      const { game } = await createGame();
      const refused = await env.api(`/api/games/${game.id}/process-complete`, {
        method: 'PUT',
        body: { status: 'completed' },
      });
      expect(refused.status).to.equal(401);
      const bad = await env.api(`/api/games/${game.id}/process-complete`, {
        method: 'PUT',
        body: { status: 'finished' },
        token: TEST_TOKEN,
      });
      expect(bad.status).to.equal(400);
      const ok = await env.api(`/api/games/${game.id}/process-complete`, {
        method: 'PUT',
        body: { status: 'completed' },
        token: TEST_TOKEN,
      });
      expect(ok.status).to.equal(200);
      expect((await env.api(`/api/games/${game.id}`)).body.processingStatus).to.equal('completed');
      const missing = await env.api('/api/games/999999/process-complete', {
        method: 'PUT',
        body: { status: 'completed' },
        token: TEST_TOKEN,
      });
      expect(missing.status).to.equal(404);
    });
  });

  describe('the task views', () => {
    it('lists tasks newest first with filters and a total, and counts them by status', async () => {
      const { game } = await createGame('Listed');
      const all = await env.api('/api/tasks?limit=200');
      const times = all.body.map((t: { createdAt: string }) => Date.parse(t.createdAt));
      expect(times).to.deep.equal([...times].sort((a, b) => b - a));
      expect(Number(all.headers.get('x-total-count'))).to.equal(all.body.length);
      const forGame = await env.api(`/api/tasks?gameId=${game.id}&type=game&status=pending`);
      expect(forGame.body).to.have.length(1);
      const counts = (await env.api('/api/tasks/counts')).body;
      expect(counts.total).to.equal(
        counts.pending + counts.processing + counts.completed + counts.failed,
      );
      expect(counts.total).to.equal(all.body.length);
      expect((await env.api('/api/tasks?status=nope')).status).to.equal(400);
      expect((await env.api('/api/tasks/unknown-task')).status).to.equal(404);
    });

    it('streams a task change to a Server-Sent Events client', async () => {
      const { game, eventId } = await createGame('Streamed');
      const stream = await openTaskStream(env.backend.url);
      expect(stream.contentType).to.match(/^text\/event-stream/);
      await report(eventId, { status: 'processing', type: 'game', gameId: game.id, attempts: 1 });
      const [frame] = await waitFor('a task frame', () => {
        const tasks = stream.tasks();
        return tasks.length ? tasks : undefined;
      });
      expect(frame).to.include({ messageId: eventId, status: 'processing', gameId: game.id });
      await stream.close();
    });

    it('re-publishes a failed catalog event through the outbox when asked to retry', async () => {
      const { game, eventId } = await createGame('Retried');
      await waitFor(
        'the create event published',
        async () => (await env.probe.messageCount(env.queues.main)) > 0,
      );
      await env.probe.drain(env.queues.main);
      expect((await env.api(`/api/tasks/${eventId}/retry`, { method: 'POST' })).status).to.equal(
        409,
      );
      await report(eventId, {
        status: 'failed',
        type: 'game',
        gameId: game.id,
        attempts: 4,
        error: 'gave up',
      });
      const res = await env.api(`/api/tasks/${eventId}/retry`, { method: 'POST' });
      expect(res.status).to.equal(202);
      expect(res.body).to.include({ status: 'pending', attempts: 0, lastError: null });
      expect((await env.api(`/api/games/${game.id}`)).body.processingStatus).to.equal('pending');
      await waitFor(
        'the event published again',
        async () => (await env.probe.messageCount(env.queues.main)) === 1,
      );
      const [message] = await env.probe.drain(env.queues.main);
      expect(message!.properties.messageId).to.equal(eventId);
      expect(JSON.parse(message!.content.toString()).action).to.equal('create');
    });

    it('refuses to retry a custom task, which only the producer can replay', async () => {
      await report('custom-failed', { status: 'failed', type: 'custom', attempts: 1, error: 'x' });
      const res = await env.api('/api/tasks/custom-failed/retry', { method: 'POST' });
      expect(res.status).to.equal(409);
      expect(res.body.error.code).to.equal('CONFLICT');
    });
  });
});
