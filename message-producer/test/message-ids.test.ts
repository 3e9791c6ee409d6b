import { type RunningBackend, startBackend } from '@retro/backend';
import { type ProcessingTask, type QueueNames } from '@retro/common';
import {
  TEST_TOKEN,
  TcpProxy,
  createTestAccounts,
  jsonApi,
  testQueues,
  validGame,
  waitFor,
} from '@retro/common/testing';
import { createPool } from '@retro/database';
import { createTestDatabase } from '@retro/database/testing';
import { expect } from 'chai';
import {
  type ProducerTestEnv,
  type TaskLookupStub,
  startProducerTestEnv,
  startTaskLookupStub,
} from './helpers.js';

/**
 * A raw message may not take the id of a processing task: the consumer would report on it. The
 * backend here lets no anonymous caller read (AUTH_ANONYMOUS_ROLE=none): the producer's lookup
 * signs in with INTERNAL_API_TOKEN.
 */
describe('message producer: raw messages and the ids of processing tasks', function () {
  this.timeout(60_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let backendQueues: QueueNames;
  let backend: RunningBackend;
  let h: ProducerTestEnv;
  let taskId: string;

  before(async () => {
    database = await createTestDatabase('producer_ids');
    const pool = createPool(database.settings, 1);
    const accounts = await createTestAccounts(pool).finally(() => pool.end());
    backendQueues = testQueues('producer_ids_backend'); // the backend's events stay out of ours
    backend = await startBackend({
      queues: backendQueues,
      config: {
        DB_NAME: database.settings.database,
        BACKEND_PORT: 0,
        LOG_LEVEL: 'error',
        INTERNAL_API_TOKEN: TEST_TOKEN,
        AUTH_ANONYMOUS_ROLE: 'none',
      },
    });
    h = await startProducerTestEnv(
      'producer_ids',
      { config: { BACKEND_URL: backend.url } },
      { role: 'tester' },
    );
    // creating a game makes a processing task whose id is the game event's id
    const editor = jsonApi(backend.url, { token: accounts.editor.token });
    const created = await editor<{ id: number }>('/api/games', {
      method: 'POST',
      body: validGame({ title: 'Id Collision' }),
    });
    const tasks = await editor<ProcessingTask[]>(`/api/tasks?gameId=${created.body.id}`);
    taskId = tasks.body[0]!.messageId;
    // nobody anonymous may read the tasks here: what the producer reads, it reads signed in
    expect((await jsonApi(backend.url)(`/api/tasks/${taskId}`)).status).to.equal(401);
  });
  after(async () => {
    await backend?.stop();
    await h?.probe.deleteQueues(backendQueues).catch(() => undefined);
    await h?.cleanup();
    await database?.drop();
  });
  afterEach(async () => h.probe.drain(h.queues.main));

  it('when a raw message names the id of a processing task, then it answers 409 MESSAGE_ID_IN_USE naming the id and publishes nothing', async () => {
    const res = await h.post('/api/messages/raw', { body: { any: 'thing' }, messageId: taskId });

    expect(res.status).to.equal(409);
    expect(res.body.error.code).to.equal('MESSAGE_ID_IN_USE');
    expect(res.body.error.message).to.contain(taskId);
    expect(res.body.error.details).to.deep.equal([
      { field: 'messageId', message: `"${taskId}" is the id of an existing processing task` },
    ]);
    expect(await h.probe.messageCount(h.queues.main)).to.equal(0);
  });

  it("when a raw game event's eventId is the id of a processing task, then it answers 409 naming body.eventId and publishes nothing", async () => {
    const res = await h.post('/api/messages/raw', {
      body: { eventId: taskId, gameId: 1, action: 'update' },
    });

    expect(res.status).to.equal(409);
    expect(res.body.error.code).to.equal('MESSAGE_ID_IN_USE');
    expect(res.body.error.details[0].field).to.equal('body.eventId');
    expect(await h.probe.messageCount(h.queues.main)).to.equal(0);
  });

  it('when a raw message names a fresh id, then it answers 201 and the message carries that id', async () => {
    const res = await h.post('/api/messages/raw', { body: '{"gameId": ', messageId: 'fresh-1' });

    expect(res.status).to.equal(201);
    const [msg] = await h.probe.drain(h.queues.main);
    expect(msg!.properties.messageId).to.equal('fresh-1');
  });
});

describe('message producer: when the backend cannot say whether an id is in use', function () {
  this.timeout(30_000);
  let answer: number | 'hang' = 500;
  let stub: TaskLookupStub;
  let h: ProducerTestEnv;

  before(async () => {
    stub = await startTaskLookupStub(() => answer);
    h = await startProducerTestEnv('producer_ids_down', { config: { BACKEND_URL: stub.url } });
  });
  after(async () => {
    await h.cleanup();
    await stub.close();
  });
  afterEach(async () => {
    stub.requests.length = 0;
    stub.authorizations.length = 0;
    await h.probe.drain(h.queues.main);
  });

  const expectUnchecked = (res: { status: number; body: { error: { code: string } } }) => {
    expect(res.status).to.equal(503);
    expect(res.body.error).to.include({ code: 'SERVICE_UNAVAILABLE' });
  };

  it('when the backend answers 500, then a raw message with a chosen id answers 503 saying the id could not be checked, and nothing is published', async () => {
    answer = 500;
    const res = await h.post('/api/messages/raw', { body: {}, messageId: 'chosen-1' });

    expectUnchecked(res);
    expect(res.body.error.message).to.equal(
      'The message id chosen-1 could not be checked against the processing tasks: the backend answered 500',
    );
    expect(stub.requests).to.deep.equal(['/api/tasks/chosen-1']);
    expect(stub.authorizations).to.deep.equal([`Bearer ${TEST_TOKEN}`]);
    expect(await h.probe.messageCount(h.queues.main)).to.equal(0);
  });

  it('when the backend refuses the producer token, then a chosen id answers 503 saying so', async () => {
    answer = 401;
    const res = await h.post('/api/messages/raw', { body: {}, messageId: 'chosen-4' });

    expectUnchecked(res);
    expect(res.body.error.message).to.contain(
      "the backend refused the producer's token (401): is INTERNAL_API_TOKEN the same on both?",
    );
    expect(await h.probe.messageCount(h.queues.main)).to.equal(0);
  });

  it('when the backend does not answer, then a raw message with a chosen id answers 503 after about 2 s', async () => {
    answer = 'hang';
    const started = Date.now();
    const res = await h.post('/api/messages/raw', { body: {}, messageId: 'chosen-2' });

    expectUnchecked(res);
    expect(res.body.error.message).to.contain('did not answer within 2000 ms');
    expect(Date.now() - started).to.be.within(1_900, 4_000);
    expect(await h.probe.messageCount(h.queues.main)).to.equal(0);
  });

  it('then messages whose id the producer makes up are published as before, without asking the backend', async () => {
    answer = 500;
    const answers = [
      await h.post('/api/messages/custom', { message: 'no id chosen' }),
      await h.post('/api/messages/game-event', { gameId: 1, action: 'process' }),
      await h.post('/api/messages/raw', { body: { gameId: 1, action: 'create' } }),
      await h.post('/api/messages/bulk', {
        kind: 'raw',
        count: 2,
        payload: { body: { eventId: 'copied', gameId: 1, action: 'create' } },
      }),
    ];

    expect(answers.map((r) => r.status)).to.deep.equal([201, 201, 201, 202]);
    const job = await waitFor('the bulk job to finish', async () => {
      const { body } = await h.get(`/api/messages/bulk/${answers[3]!.body.jobId}`);
      return body.status === 'running' ? undefined : body;
    });
    expect(job.status).to.equal('completed');
    expect(stub.requests).to.deep.equal([]);
  });

  it('when the backend is unreachable, then a chosen id answers 503 and a custom message 201', async () => {
    const closed = new TcpProxy('127.0.0.1', 9); // a port nothing listens on once it stops
    const port = await closed.start();
    await closed.stop();
    const down = await startProducerTestEnv('producer_ids_unreachable', {
      config: { BACKEND_URL: `http://127.0.0.1:${port}` },
    });
    try {
      const chosen = await down.post('/api/messages/raw', { body: {}, messageId: 'chosen-3' });
      const custom = await down.post('/api/messages/custom', { message: 'still works' });

      expectUnchecked(chosen);
      expect(chosen.body.error.message).to.contain('the backend is unreachable (ECONNREFUSED)');
      expect(custom.status).to.equal(201);
      expect(
        (await down.probe.drain(down.queues.main)).map((m) => m.properties.messageId),
      ).to.deep.equal([custom.body.messageId]);
    } finally {
      await down.cleanup();
    }
  });
});
