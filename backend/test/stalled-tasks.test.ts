import { ConfigError } from '@retro/common';
import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import { startBackend } from '../src/index.js';
import { openTaskStream, startTestEnv, TEST_TOKEN, validGame, type TestEnv } from './helpers.js';

/** Short enough to wait for, long enough that a task just written is never stalled yet. */
const STALLED_AFTER_MS = 1500;

describe('stalled tasks', () => {
  let env: TestEnv;
  before(async () => {
    env = await startTestEnv('stalled', { config: { TASK_STALLED_AFTER_MS: STALLED_AFTER_MS } });
  });
  after(async () => env.cleanup());

  const report = (messageId: string, body: Record<string, unknown>) =>
    env.api(`/api/internal/tasks/${messageId}/status`, { method: 'PUT', body, token: TEST_TOKEN });
  const taskOf = async (messageId: string) => (await env.api(`/api/tasks/${messageId}`)).body;
  const retry = (messageId: string) => env.api(`/api/tasks/${messageId}/retry`, { method: 'POST' });
  const untilStalled = (messageId: string) =>
    waitFor(`task ${messageId} to be stalled`, async () => (await taskOf(messageId)).stalled, {
      intervalMs: 100,
    });

  /** Creates a game; returns its id and the id of its create event. */
  async function createGame(title: string) {
    const game = (await env.api('/api/games', { method: 'POST', body: validGame({ title }) })).body;
    const [task] = (await env.api(`/api/tasks?gameId=${game.id}`)).body;
    return { gameId: game.id as number, eventId: task.messageId as string };
  }

  /** Takes messages off the test's queue until `eventId` is among them; resolves with that one. */
  function takeFromQueue(eventId: string) {
    return waitFor(`event ${eventId} on the queue`, async () => {
      const taken = await env.probe.drain(env.queues.main);
      return taken.find((m) => m.properties.messageId === eventId);
    });
  }

  it('when a task has waited TASK_STALLED_AFTER_MS without a status change, then it is reported as stalled', async () => {
    const started = Date.now();
    const { gameId, eventId } = await createGame('Stalls');
    expect(await taskOf(eventId)).to.include({ status: 'pending', stalled: false });

    await untilStalled(eventId);

    expect(Date.now() - started).to.be.at.least(STALLED_AFTER_MS);
    expect(await taskOf(eventId)).to.include({ status: 'pending', stalled: true });
    const [listed] = (await env.api(`/api/tasks?gameId=${gameId}`)).body;
    expect(listed).to.include({ messageId: eventId, stalled: true });
  });

  it('when tasks are stalled, then status=stalled lists only them and the counts say how many', async () => {
    const { eventId } = await createGame('Stalled listed');
    await report('stalled-custom', { status: 'processing', type: 'custom', attempts: 1 });
    await report('finished-custom', { status: 'completed', type: 'custom', attempts: 1 });
    // once every unfinished task has stalled, nothing changes between the reads below
    const counts = await waitFor('every unfinished task to be stalled', async () => {
      const c = (await env.api('/api/tasks/counts')).body;
      return c.stalled === c.pending + c.processing ? c : undefined;
    });

    const stalled = await env.api('/api/tasks?status=stalled&limit=200');
    expect(stalled.status).to.equal(200);
    const ids = stalled.body.map((t: { messageId: string }) => t.messageId);
    expect(ids).to.include.members([eventId, 'stalled-custom']);
    expect(ids).to.not.include('finished-custom');
    for (const task of stalled.body) {
      expect(task.stalled).to.equal(true);
      expect(['pending', 'processing']).to.include(task.status);
    }
    expect(Number(stalled.headers.get('x-total-count'))).to.equal(counts.stalled);
    expect(counts.stalledAfterMs).to.equal(STALLED_AFTER_MS);
    expect(counts.total).to.equal(
      counts.pending + counts.processing + counts.completed + counts.failed,
    );
    expect((await env.api('/api/tasks?status=stalled&type=custom')).body).to.have.length(1);
    const metrics = await env.metrics();
    expect(metrics).to.include(`processing_tasks_stalled ${counts.stalled}\n`);
  });

  it('when a stalled game task is retried, then its event is published again and the task and game are pending', async () => {
    const { gameId, eventId } = await createGame('Re-driven');
    await takeFromQueue(eventId); // as a purge would: the task now waits for nothing
    // a consumer took it and then vanished: the task stays processing
    await report(eventId, { status: 'processing', type: 'game', gameId, attempts: 2 });
    await untilStalled(eventId);

    const res = await retry(eventId);

    expect(res.status).to.equal(202);
    expect(res.body).to.include({
      status: 'pending',
      attempts: 0,
      lastError: null,
      stalled: false,
    });
    expect((await env.api(`/api/games/${gameId}`)).body.processingStatus).to.equal('pending');
    const message = await takeFromQueue(eventId);
    expect(JSON.parse(message.content.toString())).to.include({
      eventId,
      gameId,
      action: 'create',
    });
  });

  it('when a task is still in progress, completed, or a stalled custom message, then retry answers 409 and changes nothing', async () => {
    const fresh = await createGame('In progress');
    const early = await retry(fresh.eventId);
    expect(early.status).to.equal(409);
    const { updatedAt } = await taskOf(fresh.eventId);
    const stalledAt = new Date(Date.parse(updatedAt) + STALLED_AFTER_MS).toISOString();
    expect(early.body.error.message).to.equal(
      `Task ${fresh.eventId} is still in progress (pending); it counts as stalled, and can be ` +
        `retried, if its status has not changed by ${stalledAt}`,
    );

    const done = await createGame('Done');
    await report(done.eventId, {
      status: 'completed',
      type: 'game',
      gameId: done.gameId,
      attempts: 1,
    });
    const completed = await retry(done.eventId);
    expect(completed.status).to.equal(409);
    expect(completed.body.error.message).to.include('is completed');

    await report('stalled-custom-retry', { status: 'pending', type: 'custom' });
    await untilStalled('stalled-custom-retry');
    const before = await taskOf('stalled-custom-retry');
    const custom = await retry('stalled-custom-retry');
    expect(custom.status).to.equal(409);
    expect(custom.body.error.code).to.equal('CONFLICT');
    expect(custom.body.error.message).to.include('re-sent from the producer page');
    expect(await taskOf('stalled-custom-retry')).to.deep.equal(before);
  });

  it('when a task changes, then its stream frame says it is not stalled', async () => {
    const { gameId, eventId } = await createGame('Streamed stall');
    const stream = await openTaskStream(env.backend.url);
    await report(eventId, { status: 'processing', type: 'game', gameId, attempts: 1 });
    const frame = await waitFor('the processing frame', () =>
      stream.tasks().find((t) => t.messageId === eventId && t.status === 'processing'),
    );
    expect(frame.stalled).to.equal(false);
    await stream.close();
  });

  it('when TASK_STALLED_AFTER_MS is below 1000 or not a number, then the backend refuses to start, naming it', async () => {
    for (const value of [999, 'ten minutes']) {
      const error = await startBackend({ config: { TASK_STALLED_AFTER_MS: value } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(ConfigError);
      expect((error as Error).message).to.match(/TASK_STALLED_AFTER_MS:/);
    }
  });
});
