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

describe('processing tasks: the batch status write', () => {
  let env: TestEnv;
  before(async () => {
    env = await startTestEnv('task_batches');
  });
  after(async () => env.cleanup());

  const report = (messageId: string, body: Record<string, unknown>, token = TEST_TOKEN) =>
    reportStatus(env, messageId, body, token);
  const createGame = (title?: string) => createGameWithEvent(env, title);

  describe('the batch status write', () => {
    const reportBatch = (updates: Record<string, unknown>[], token = TEST_TOKEN) =>
      env.api('/api/internal/tasks/status', { method: 'PUT', body: { updates }, token });
    const taskOf = async (messageId: string) => (await env.api(`/api/tasks/${messageId}`)).body;

    it('is refused with 401 without the internal token or with a wrong one, and changes nothing', async () => {
      const { eventId } = await createGame();
      for (const token of ['', 'wrong-token-wrong-token']) {
        const res = await reportBatch(
          [{ messageId: eventId, status: 'completed', type: 'game' }],
          token,
        );
        expect(res.status).to.equal(401);
        expect(res.body.error.code).to.equal('UNAUTHORIZED');
      }
      expect((await taskOf(eventId)).status).to.equal('pending');
    });

    it('answers 400 naming the offending item and field, and applies none of the batch', async () => {
      const { eventId } = await createGame();
      const res = await reportBatch([
        { messageId: eventId, status: 'completed', type: 'game' },
        { messageId: 'batch-bad-1', status: 'done', type: 'custom' },
      ]);
      expect(res.status).to.equal(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).to.deep.equal([
        'updates.1.status',
      ]);
      expect((await taskOf(eventId)).status).to.equal('pending');
      const badId = await reportBatch([
        { messageId: 'bad id!', status: 'completed', type: 'custom' },
      ]);
      expect(badId.body.error.details[0].field).to.equal('updates.0.messageId');
      const extra = await reportBatch([
        { messageId: 'x-1', status: 'completed', type: 'custom', extra: 1 },
      ]);
      expect(extra.status).to.equal(400);
      expect((await reportBatch([])).body.error.details[0].field).to.equal('updates');
      const tooMany = Array.from({ length: 201 }, (_, i) => ({
        messageId: `batch-many-${i}`,
        status: 'processing',
        type: 'custom',
      }));
      expect((await reportBatch(tooMany)).status).to.equal(400);
      expect((await env.api('/api/tasks/batch-many-0')).status).to.equal(404);
    });

    it('answers one result per report, in request order, applying some and ignoring others', async () => {
      const done = await createGame('Batch done');
      const fresh = await createGame('Batch fresh');
      await report(done.eventId, {
        status: 'completed',
        type: 'game',
        gameId: done.game.id,
        attempts: 1,
      });
      const res = await reportBatch([
        {
          messageId: fresh.eventId,
          status: 'processing',
          type: 'game',
          gameId: fresh.game.id,
          attempts: 1,
        },
        {
          messageId: done.eventId,
          status: 'processing',
          type: 'game',
          gameId: done.game.id,
          attempts: 2,
        },
        {
          messageId: 'batch-custom-1',
          status: 'failed',
          type: 'custom',
          attempts: 3,
          error: 'boom',
        },
      ]);
      expect(res.status).to.equal(200);
      const results = res.body.results as { messageId: string; applied: boolean; task: any }[]; // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(results.map((r) => [r.messageId, r.applied])).to.deep.equal([
        [fresh.eventId, true],
        [done.eventId, false],
        ['batch-custom-1', true],
      ]);
      expect(results[0]!.task).to.include({
        status: 'processing',
        attempts: 1,
        gameId: fresh.game.id,
      });
      expect(results[1]!.task).to.include({ status: 'completed', attempts: 1 });
      expect(results[2]!.task).to.include({
        type: 'custom',
        status: 'failed',
        lastError: 'boom',
        attempts: 3,
      });
      expect(await taskOf(fresh.eventId)).to.include({ status: 'processing', attempts: 1 });
      expect(await taskOf('batch-custom-1')).to.include({ status: 'failed', lastError: 'boom' });
      expect((await env.api(`/api/games/${fresh.game.id}`)).body.processingStatus).to.equal(
        'processing',
      );
      expect((await env.api(`/api/games/${done.game.id}`)).body.processingStatus).to.equal(
        'completed',
      );
    });

    it('applies two reports about one message in the order they were sent', async () => {
      const { game, eventId } = await createGame('Batch twice');
      const res = await reportBatch([
        { messageId: eventId, status: 'processing', type: 'game', gameId: game.id, attempts: 1 },
        { messageId: eventId, status: 'completed', type: 'game', gameId: game.id, attempts: 1 },
        { messageId: eventId, status: 'processing', type: 'game', gameId: game.id, attempts: 2 },
      ]);
      expect(res.body.results.map((r: { applied: boolean }) => r.applied)).to.deep.equal([
        true,
        true,
        false,
      ]);
      expect(
        res.body.results.map((r: { task: { status: string } }) => r.task.status),
      ).to.deep.equal(['processing', 'completed', 'completed']);
      expect(await taskOf(eventId)).to.include({ status: 'completed', attempts: 1 });
      expect((await env.api(`/api/games/${game.id}`)).body.processingStatus).to.equal('completed');

      const replay = await reportBatch([
        { messageId: 'batch-replay', status: 'failed', type: 'custom', attempts: 4, error: 'boom' },
        {
          messageId: 'batch-replay',
          status: 'processing',
          type: 'custom',
          attempts: 1,
          reopen: true,
        },
      ]);
      expect(replay.body.results[1].task).to.include({
        status: 'processing',
        attempts: 1,
        lastError: null,
      });
    });

    it('never lets an older event overwrite the status set by a newer event of the same game', async () => {
      const { game, eventId: createEvent } = await createGame('Batch stale');
      await env.api(`/api/games/${game.id}`, {
        method: 'PUT',
        body: validGame({ title: 'Batch stale 2' }),
      });
      const tasks = (await env.api(`/api/tasks?gameId=${game.id}`)).body;
      const updateEvent = tasks.find((t: { action: string }) => t.action === 'update').messageId;
      // the newer event's report comes first, the older one's last: the game keeps the newer status
      const res = await reportBatch([
        {
          messageId: updateEvent,
          status: 'processing',
          type: 'game',
          gameId: game.id,
          attempts: 1,
        },
        { messageId: createEvent, status: 'completed', type: 'game', gameId: game.id, attempts: 1 },
      ]);
      expect(res.body.results.map((r: { applied: boolean }) => r.applied)).to.deep.equal([
        true,
        true,
      ]);
      expect((await taskOf(createEvent)).status).to.equal('completed');
      expect((await env.api(`/api/games/${game.id}`)).body.processingStatus).to.equal('processing');
      await reportBatch([
        { messageId: updateEvent, status: 'completed', type: 'game', gameId: game.id, attempts: 1 },
      ]);
      expect((await env.api(`/api/games/${game.id}`)).body.processingStatus).to.equal('completed');
    });

    it('streams every change a batch applies to a Server-Sent Events client', async () => {
      const { game, eventId } = await createGame('Batch streamed');
      const stream = await openTaskStream(env.backend.url);
      await reportBatch([
        { messageId: eventId, status: 'processing', type: 'game', gameId: game.id, attempts: 1 },
        { messageId: 'batch-streamed-custom', status: 'processing', type: 'custom', attempts: 1 },
        { messageId: eventId, status: 'completed', type: 'game', gameId: game.id, attempts: 1 },
      ]);
      const sent = await waitFor('three task frames', () => {
        const tasks = stream.tasks();
        return tasks.length >= 3 ? tasks : undefined;
      });
      expect(
        sent.map((t: { messageId: string; status: string }) => [t.messageId, t.status]),
      ).to.deep.equal([
        [eventId, 'processing'],
        ['batch-streamed-custom', 'processing'],
        [eventId, 'completed'],
      ]);
      await stream.close();
    });

    it('takes 200 reports with long error texts in one request', async () => {
      const updates = Array.from({ length: 200 }, (_, i) => ({
        messageId: `batch-long-${i}`,
        status: 'failed',
        type: 'custom',
        attempts: 4,
        error: 'e'.repeat(2000),
      }));
      const res = await reportBatch(updates);
      expect(res.status).to.equal(200);
      expect(res.body.results).to.have.length(200);
      expect((await taskOf('batch-long-199')).lastError).to.have.length(2000);
    });

    const rotated = (ids: string[], by: number, reverse: boolean) => {
      const order = [...ids.slice(by), ...ids.slice(0, by)];
      return reverse ? order.reverse() : order;
    };

    it('lets concurrent batches about the same messages all commit, whatever their order', async () => {
      const ids = Array.from({ length: 20 }, (_, i) => `batch-race-${String(i).padStart(2, '0')}`);
      const batches = Array.from({ length: 8 }, (_, b) =>
        reportBatch(
          rotated(ids, b, b % 2 === 1).map((messageId) => ({
            messageId,
            status: 'processing',
            type: 'custom',
            attempts: b + 1,
          })),
        ),
      );
      const answers = await Promise.all(batches);
      expect(answers.map((a) => a.status)).to.deep.equal(Array(8).fill(200));
      expect(await taskOf('batch-race-07')).to.include({ status: 'processing', attempts: 8 });
    });
  });
});
