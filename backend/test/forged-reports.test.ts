import { expect } from 'chai';
import { startTestEnv, TEST_TOKEN, validGame, type TestEnv } from './helpers.js';

describe('status reports that contradict their task', () => {
  let env: TestEnv;
  before(async () => {
    env = await startTestEnv('forged');
  });
  after(async () => env.cleanup());

  const report = (messageId: string, body: Record<string, unknown>) =>
    env.api(`/api/internal/tasks/${messageId}/status`, { method: 'PUT', body, token: TEST_TOKEN });
  const reportBatch = (updates: Record<string, unknown>[]) =>
    env.api('/api/internal/tasks/status', { method: 'PUT', body: { updates }, token: TEST_TOKEN });
  const taskOf = async (messageId: string) => (await env.api(`/api/tasks/${messageId}`)).body;
  const gameStatus = async (id: number) =>
    (await env.api(`/api/games/${id}`)).body.processingStatus as string;

  /** Creates a game; returns its id and the id of its create event. */
  async function createGame(title: string) {
    const game = (await env.api('/api/games', { method: 'POST', body: validGame({ title }) })).body;
    const [task] = (await env.api(`/api/tasks?gameId=${game.id}`)).body;
    return { gameId: game.id as number, eventId: task.messageId as string };
  }

  async function refusedCount(): Promise<number> {
    const text = await env.metrics();
    const line = text.split('\n').find((l) => l.startsWith('task_status_reports_refused_total '));
    return Number(line?.split(' ')[1] ?? 0);
  }

  it("when a custom message reuses a game event's id, then the single write answers 409 and changes neither the task nor the game", async () => {
    const { gameId, eventId } = await createGame('Forged single');
    const before = await taskOf(eventId);
    const refusedBefore = await refusedCount();

    const res = await report(eventId, { status: 'completed', type: 'custom', attempts: 1 });

    expect(res.status).to.equal(409);
    expect(res.body.error.code).to.equal('TASK_MISMATCH');
    expect(res.body.error.details).to.deep.equal([]);
    expect(res.body.error.message).to.equal(
      `task ${eventId} is a game task of game ${gameId}; ` +
        'this report says a custom task without a game (type differs)',
    );
    expect(await taskOf(eventId)).to.deep.equal(before);
    expect(await gameStatus(gameId)).to.equal('pending');
    expect(await refusedCount()).to.equal(refusedBefore + 1);
  });

  it("when a custom message reuses a game event's id in a batch, then only its item is refused", async () => {
    const { gameId, eventId } = await createGame('Forged batch');
    const before = await taskOf(eventId);

    const res = await reportBatch([
      { messageId: eventId, status: 'failed', type: 'custom', attempts: 4, error: 'forged' },
    ]);

    expect(res.status).to.equal(200);
    const [item] = res.body.results;
    expect(item).to.deep.include({ messageId: eventId, applied: false, task: before });
    expect(item.error.code).to.equal('TASK_MISMATCH');
    expect(item.error.message).to.include('type differs');
    expect(await taskOf(eventId)).to.deep.equal(before);
    expect(await gameStatus(gameId)).to.equal('pending');
  });

  it('when a game event names another game or none, then the report is refused', async () => {
    const first = await createGame('Forged first');
    const second = await createGame('Forged second');
    const before = await taskOf(first.eventId);

    const other = await report(first.eventId, {
      status: 'completed',
      type: 'game',
      gameId: second.gameId,
      attempts: 1,
    });
    const none = await report(first.eventId, { status: 'completed', type: 'game', attempts: 1 });

    expect(other.status).to.equal(409);
    expect(other.body.error.message).to.equal(
      `task ${first.eventId} is a game task of game ${first.gameId}; ` +
        `this report says a game task of game ${second.gameId} (gameId differs)`,
    );
    expect(none.status).to.equal(409);
    expect(none.body.error.message).to.include('a game task without a game (gameId differs)');
    expect(await taskOf(first.eventId)).to.deep.equal(before);
    expect(await gameStatus(first.gameId)).to.equal('pending');
    expect(await gameStatus(second.gameId)).to.equal('pending');
  });

  it('when a batch mixes refused and matching reports, then the matching ones apply and the rest stay untouched', async () => {
    const honest = await createGame('Honest');
    const victim = await createGame('Victim');
    const victimBefore = await taskOf(victim.eventId);

    const res = await reportBatch([
      {
        messageId: honest.eventId,
        status: 'processing',
        type: 'game',
        gameId: honest.gameId,
        attempts: 1,
      },
      { messageId: victim.eventId, status: 'completed', type: 'custom', attempts: 1 },
      { messageId: 'forged-new-custom', status: 'processing', type: 'custom', attempts: 1 },
      // the task the previous report created is custom: this report contradicts it
      {
        messageId: 'forged-new-custom',
        status: 'completed',
        type: 'game',
        gameId: honest.gameId,
        attempts: 1,
      },
    ]);

    expect(res.status).to.equal(200);
    const results = res.body.results as { applied: boolean; error?: { code: string } }[];
    expect(results.map((r) => [r.applied, r.error?.code ?? null])).to.deep.equal([
      [true, null],
      [false, 'TASK_MISMATCH'],
      [true, null],
      [false, 'TASK_MISMATCH'],
    ]);
    expect(await taskOf(honest.eventId)).to.include({ status: 'processing', attempts: 1 });
    expect(await gameStatus(honest.gameId)).to.equal('processing');
    expect(await taskOf(victim.eventId)).to.deep.equal(victimBefore);
    expect(await gameStatus(victim.gameId)).to.equal('pending');
    expect(await taskOf('forged-new-custom')).to.include({
      type: 'custom',
      gameId: null,
      status: 'processing',
    });
  });

  it('when reports match their task, then the single write still applies them as before', async () => {
    const { gameId, eventId } = await createGame('Matching');
    const body = { type: 'game', gameId, action: 'create', attempts: 1 };

    const processing = await report(eventId, { ...body, status: 'processing' });
    const completed = await report(eventId, { ...body, status: 'completed' });

    expect(processing.status).to.equal(200);
    expect(processing.body).to.have.keys(['applied', 'task']);
    expect(completed.body).to.deep.include({ applied: true });
    expect(await gameStatus(gameId)).to.equal('completed');
  });
});
