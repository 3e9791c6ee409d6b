import { taskFlowSchema, type TaskFlow } from '@retro/common';
import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import { TEST_TOKEN, startTestEnv, validGame, type TestEnv } from './helpers.js';

/** Reports custom messages through the consumer's batch write, as a consumer would. */
async function report(env: TestEnv, ids: string[], status: 'completed' | 'failed') {
  for (const step of ['processing', status]) {
    const res = await fetch(`${env.backend.url}/api/internal/tasks/status`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` },
      body: JSON.stringify({
        updates: ids.map((messageId) => ({
          messageId,
          status: step,
          type: 'custom',
          attempts: 1,
          ...(step === 'failed' ? { error: 'poison' } : {}),
        })),
      }),
    });
    expect(res.status).to.equal(200);
    await res.arrayBuffer();
  }
}

describe('flow samples of the processing page charts (GET /api/tasks/flow)', () => {
  let env: TestEnv;

  before(async () => {
    // the test takes each sample itself: the timer's own would land at random between steps
    env = await startTestEnv('task_flow', {
      role: 'viewer',
      flow: { intervalMs: 3_600_000, historyMs: 100 * 3_600_000 },
    });
    await waitFor('the backend to reach the broker', async () =>
      (await fetch(`${env.backend.url}/ready`)).status === 200 ? true : undefined,
    );
  });
  after(() => env?.cleanup());

  const flow = async (query = '') => {
    const res = await env.api(`/api/tasks/flow${query}`);
    expect(res.status).to.equal(200);
    return taskFlowSchema.parse(res.body) satisfies TaskFlow;
  };

  it('when tasks complete and fail between two samples, then the second shows their rates', async () => {
    await env.backend.flow.sample();
    const started = Date.now();
    await report(
      env,
      Array.from({ length: 30 }, (_, i) => `flow-done-${i}`),
      'completed',
    );
    await report(env, ['flow-bad-1', 'flow-bad-2'], 'failed');
    await env.backend.flow.sample();
    const seconds = (Date.now() - started) / 1000 + 5;

    const { samples, intervalMs, historyMs } = await flow();
    expect(intervalMs).to.equal(3_600_000);
    expect(historyMs).to.equal(100 * 3_600_000);
    const last = samples.at(-1)!;
    // 30 completions over the interval between the samples (well under `seconds`)
    expect(last.completedPerSec).to.be.greaterThan(30 / seconds);
    expect(last.failedPerSec).to.be.greaterThan(0);
    expect(last.completedPerSec / last.failedPerSec).to.be.closeTo(15, 0.5);
    expect(last.p95Ms).to.be.a('number');
    expect(last.mainDepth).to.be.a('number');
  });

  it('when games are created with no consumer, then the main queue depth and the outbox count them', async () => {
    const editor = env.as('editor');
    for (let i = 0; i < 5; i++) {
      const res = await editor('/api/games', {
        method: 'POST',
        body: validGame({ title: `Flow ${i}` }),
      });
      expect(res.status).to.equal(201);
    }
    const sample = await waitFor('the relay to publish the five events', async () => {
      await env.backend.flow.sample();
      const last = (await flow()).samples.at(-1)!;
      return last.mainDepth === 5 && last.outboxBacklog === 0 ? last : undefined;
    });
    expect(sample).to.include({ retryDepth: 0, outboxOldestAgeMs: 0 });
  });

  it('when asked `since` the last sample held, then only newer samples come: no hole, no repeat', async () => {
    const all = (await flow()).samples;
    expect(all.length).to.be.at.least(3);
    const held = all.at(-2)!.at;
    expect((await flow(`?since=${held}`)).samples.map((s) => s.at)).to.deep.equal([all.at(-1)!.at]);
    expect((await flow(`?since=${all.at(-1)!.at}`)).samples).to.deep.equal([]);
    await env.backend.flow.sample();
    const next = (await flow(`?since=${all.at(-1)!.at}`)).samples;
    expect(next).to.have.length(1);
    expect(next[0]!.at).to.be.greaterThan(all.at(-1)!.at);
  });

  it('when `since` is not a time, then 400 (a viewer, anonymous by default, may read)', async () => {
    expect((await env.api('/api/tasks/flow?since=yesterday')).status).to.equal(400);
    expect((await env.api('/api/tasks/flow?window=1')).status).to.equal(400);
    expect((await env.anonymous('/api/tasks/flow')).status).to.equal(200);
  });
});
