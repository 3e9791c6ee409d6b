import { AppError, createLogger } from '@retro/common';
import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import type { RowDataPacket } from 'mysql2/promise';
import type { GetMessage } from 'amqplib';
import type { Broker } from '../src/data-access/broker.js';
import { ChangeLog } from '../src/domain/change-log.js';
import { DeadLetterConsole } from '../src/domain/dead-letter-console.js';
import { type ReplayJob, ReplayJobs } from '../src/domain/replay-jobs.js';
import { createMetrics } from '../src/metrics.js';
import { type ProducerTestEnv, clearArchive, startProducerTestEnv } from './helpers.js';
import { SHAPES, park, poisonMessages } from './parking.js';

describe('message producer: replay jobs', function () {
  this.timeout(120_000);
  let h: ProducerTestEnv;
  const specs = poisonMessages(600); // 200 of each shape
  const refusedIds = specs.filter((s) => s.shape === 'refused').map((s) => s.messageId!);
  let group: string;

  before(async () => {
    h = await startProducerTestEnv('producer_replay');
  });
  after(async () => h?.cleanup());
  beforeEach(async () => {
    await clearArchive(h.db);
    await h.probe.drain(h.queues.main);
    await park(h.queues.dlq, specs);
    await h.archived(600);
    const { body } = await h.get('/api/dead-letters/groups');
    group = body.find((g: { fingerprint: string }) => g.fingerprint === SHAPES.refused).groupId;
  });

  const job = async (jobId: string): Promise<ReplayJob> =>
    (await h.get(`/api/dead-letters/replays/${jobId}`)).body;
  const finished = (jobId: string) =>
    waitFor(
      'the replay job to end',
      async () => {
        const j = await job(jobId);
        return j.status === 'running' ? undefined : j;
      },
      { timeoutMs: 60_000 },
    );
  /** Takes messages off the main queue until `n` have arrived (or none more come). */
  let lastArrival = 0;
  const arrivals = async (n: number) => {
    const got: GetMessage[] = [];
    await waitFor(
      `${n} messages in the main queue`,
      async () => {
        got.push(...(await h.probe.drain(h.queues.main)));
        lastArrival = performance.now();
        return got.length >= n;
      },
      { timeoutMs: 60_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // a late duplicate would show now
    got.push(...(await h.probe.drain(h.queues.main)));
    return got;
  };

  it('when a group is replayed at 200 messages/s, then each of its messages arrives once, at that rate, with progress on the way, and is marked replayed', async () => {
    const started = performance.now();
    const res = await h.request('POST', '/api/dead-letters/replays', { group, rate: 200 });
    expect(res.status).to.equal(202);
    expect(res.headers.get('location')).to.equal(`/api/dead-letters/replays/${res.body.jobId}`);
    expect(res.body).to.include({ status: 'running', total: 200, rate: 200 });

    const midway = await waitFor('progress half way', async () => {
      const j = await job(res.body.jobId);
      return j.replayed > 0 && j.replayed < j.total ? j : undefined;
    });
    const messages = await arrivals(200);
    const elapsed = (lastArrival - started) / 1000;
    const done = await finished(res.body.jobId);

    const ids = messages.map((m) => m.properties.messageId as string);
    expect(ids).to.have.length(200);
    expect(new Set(ids).size).to.equal(200);
    expect(ids).to.have.members(refusedIds);
    expect(
      messages.every((m) => typeof m.properties.headers?.['x-replayed-at'] === 'string'),
    ).to.equal(true);
    expect(done).to.include({ status: 'completed', replayed: 200, failed: 0, skipped: 0 });
    const jobSeconds = (Date.parse(done.finishedAt!) - Date.parse(done.startedAt)) / 1000;
    // 200 messages at 200/s: the 200th message's slot starts 0.995 s in (199 intervals of 5 ms)
    expect(jobSeconds).to.be.at.least(0.995);
    expect(elapsed).to.be.at.least(0.995);
    expect(jobSeconds).to.be.below(3);
    expect(midway.replayed).to.be.below(200);
    const waiting = await h.request('GET', `/api/dead-letters?group=${group}&replayed=false`);
    expect(waiting.headers.get('x-total-count')).to.equal('0');
    const [entry] = (await h.get('/api/dead-letters/audit?action=replay')).body;
    expect(entry).to.include({ jobId: done.jobId, affected: 200 });
    expect(entry.outcome).to.include({ status: 'completed', replayed: 200 });
    console.log(
      `      200 messages replayed at 200/s: job ${jobSeconds.toFixed(2)} s, ` +
        `last arrival ${elapsed.toFixed(2)} s after the request (progress seen at ${midway.replayed}/200)`,
    );

    // each message's journey: archived, then replayed by the operator who asked, as itself
    const [steps] = await h.db.query<RowDataPacket[]>(
      `SELECT stage, detail FROM task_journey WHERE message_id = ? ORDER BY at, id`,
      [refusedIds[0]],
    );
    expect(steps.map((r) => r.stage)).to.deep.equal(['archived', 'replayed']);
    const detail =
      typeof steps[1]!.detail === 'string' ? JSON.parse(steps[1]!.detail) : steps[1]!.detail;
    expect(detail).to.include({ newMessageId: refusedIds[0] });
    expect(detail.by).to.be.a('string');

    const metrics = await h.metrics();
    expect(metrics).to.match(/^producer_replay_jobs_total\{status="completed"\} [1-9]/m);
    expect(metrics).to.match(/^producer_messages_replayed_total [1-9]\d{2}/m);

    // replayed already: a second replay of the group sends nothing
    const again = await h.post('/api/dead-letters/replays', { group, rate: 1000 });
    expect((await finished(again.body.jobId)).replayed).to.equal(0);
    expect(await h.probe.messageCount(h.queues.main)).to.equal(0);
  });

  it('when two replays of the same group run at once, then together they send each message once', async () => {
    const [a, b] = await Promise.all([
      h.post('/api/dead-letters/replays', { group, rate: 400 }),
      h.post('/api/dead-letters/replays', { group, rate: 400 }),
    ]);
    const [doneA, doneB] = await Promise.all([finished(a.body.jobId), finished(b.body.jobId)]);

    const ids = (await arrivals(200)).map((m) => m.properties.messageId);
    expect(ids).to.have.length(200);
    expect(new Set(ids).size).to.equal(200);
    expect(doneA.replayed + doneB.replayed).to.equal(200);
  });

  it('when a replay is cancelled, then it stops after its current batch and what it sent stays marked', async () => {
    const res = await h.post('/api/dead-letters/replays', { group, rate: 20 });
    await waitFor('some progress', async () => (await job(res.body.jobId)).replayed >= 8);

    const cancel = await h.post(`/api/dead-letters/replays/${res.body.jobId}/cancel`, {});
    const done = await finished(res.body.jobId);

    expect(cancel.status).to.equal(202);
    expect(done.status).to.equal('cancelled');
    expect(done.replayed).to.be.within(8, 199);
    const waiting = await h.request('GET', `/api/dead-letters?group=${group}&replayed=false`);
    expect(Number(waiting.headers.get('x-total-count'))).to.equal(200 - done.replayed);
    expect(await arrivals(done.replayed)).to.have.length(done.replayed);
  });

  it('when a replay request is wrong, then it answers 400 naming the field, or 404 for unknown rows and jobs', async () => {
    const tooFast = await h.post('/api/dead-letters/replays', { group, rate: 5000 });
    const two = await h.post('/api/dead-letters/replays', { group, ids: [1] });
    const unknownField = await h.post('/api/dead-letters/replays', { filter: { colour: 'red' } });
    const noGroup = await h.post('/api/dead-letters/replays', { group: 'abcdefabcdef' });
    const noIds = await h.post('/api/dead-letters/replays', { ids: [999999] });
    const noJob = await h.get('/api/dead-letters/replays/nope');

    expect(tooFast.status).to.equal(400);
    expect(tooFast.body.error.details[0].field).to.equal('rate');
    expect(two.status).to.equal(400);
    expect(unknownField.body.error.details[0]).to.deep.equal({
      field: 'filter.colour',
      message: 'is not a known field',
    });
    expect([noGroup.status, noIds.status, noJob.status]).to.deep.equal([404, 404, 404]);
  });

  it('when the broker refuses a copy part way, then the job fails, the copies confirmed before stay marked and the rest stay to replay', async () => {
    const logger = createLogger('message-producer', 'error');
    logger.silent = true;
    let sends = 0;
    const refusing = {
      queues: h.queues,
      isConnected: () => true,
      send: async () => {
        if (++sends > 30)
          throw AppError.unavailable('The message broker could not route the message');
      },
    } as unknown as Broker;
    const metrics = createMetrics();
    const jobs = new ReplayJobs({ pool: h.db, broker: refusing, metrics, logger });
    const changes = new ChangeLog(h.db, logger);
    const desk = new DeadLetterConsole({
      pool: h.db,
      broker: refusing,
      jobs,
      metrics,
      changes,
      logger,
    });

    const { done } = await desk.replay(
      { group },
      { rate: 1000, includeReplayed: false },
      {
        service: 'message-producer',
        actor: 'test-operator',
        role: 'operator',
        requestId: null,
        clientIp: '127.0.0.1',
      },
    );
    const ended = await done;

    expect(ended.status).to.equal('failed');
    expect(ended.error).to.contain('could not route');
    expect(ended.replayed).to.equal(30);
    const waiting = await h.request('GET', `/api/dead-letters?group=${group}&replayed=false`);
    expect(waiting.headers.get('x-total-count')).to.equal('170');
    const [entry] = (await h.get('/api/dead-letters/audit?action=replay')).body;
    expect(entry).to.include({ affected: 30 });
    expect(entry.outcome).to.include({ status: 'failed' });
  });
});
