import { metricValue } from '@retro/common/testing';
import { expect } from 'chai';
import { TEST_TOKEN, startTestEnv, type TestEnv } from './helpers.js';

/** Reports custom messages `processing` then `completed`, as a consumer would. */
async function complete(env: TestEnv, messageIds: string[]): Promise<void> {
  for (const status of ['processing', 'completed']) {
    const res = await fetch(`${env.backend.url}/api/internal/tasks/status`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` },
      body: JSON.stringify({
        updates: messageIds.map((messageId) => ({
          messageId,
          status,
          type: 'custom',
          attempts: 1,
        })),
      }),
    });
    expect(res.status).to.equal(200);
    await res.arrayBuffer();
  }
}

describe('end-to-end time of completed tasks (GET /api/tasks/latency, task_end_to_end_seconds)', () => {
  let env: TestEnv;

  before(async () => {
    env = await startTestEnv('task_latency', { role: 'viewer' });
  });
  after(() => env?.cleanup());

  it('when nothing completed in the window, then the count is 0 and the percentiles null', async () => {
    const res = await env.api('/api/tasks/latency');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({
      windowSeconds: 900,
      count: 0,
      p50Ms: null,
      p95Ms: null,
      p99Ms: null,
    });
  });

  it('when 100 tasks completed with known times, then the nearest-rank percentiles are those times', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `latency-${i + 1}`);
    await complete(env, ids);
    // task i took i × 10 ms from its change's commit to its completion
    for (const [i, id] of ids.entries()) {
      await env.sql.query(
        'UPDATE processing_tasks SET created_at = updated_at - INTERVAL ? MICROSECOND, updated_at = updated_at WHERE message_id = ?',
        [(i + 1) * 10_000, id],
      );
    }
    // one completed long ago is outside the window
    await complete(env, ['latency-old']);
    await env.sql.query(
      `UPDATE processing_tasks SET updated_at = NOW(3) - INTERVAL 2 HOUR,
         created_at = NOW(3) - INTERVAL 3 HOUR WHERE message_id = 'latency-old'`,
    );

    const res = await env.api('/api/tasks/latency?window=15m');
    expect(res.body).to.deep.equal({
      windowSeconds: 900,
      count: 100,
      p50Ms: 500,
      p95Ms: 950,
      p99Ms: 990,
    });
    const wide = await env.api('/api/tasks/latency?window=3h');
    // 101 now: rank ceil(0.99 × 101) = 100 is the slowest of the hundred, the hour-long one after it
    expect(wide.body).to.include({ count: 101, p50Ms: 510, p99Ms: 1000 });
  });

  it('when a completion is applied, then task_end_to_end_seconds counts it once, and a repeated report not at all', async () => {
    const before = metricValue(await env.metrics(), 'task_end_to_end_seconds_count');
    await complete(env, ['latency-metric']);
    await complete(env, ['latency-metric']); // a redelivery's report: not applied again
    const after = metricValue(await env.metrics(), 'task_end_to_end_seconds_count');
    expect(after - before).to.equal(1);
  });

  it('when the window is not a duration from 1m to 24h, then it answers 400 naming window', async () => {
    for (const window of ['0m', '30s', '25h', '15', 'm', '1d', '15 m', '-5m']) {
      const res = await env.api(`/api/tasks/latency?window=${encodeURIComponent(window)}`);
      expect(res.status, window).to.equal(400);
      expect(JSON.stringify(res.body.error.details), window).to.include('window');
    }
    expect((await env.api('/api/tasks/latency?window=60s')).body.windowSeconds).to.equal(60);
    expect((await env.api('/api/tasks/latency?window=24h')).body.windowSeconds).to.equal(86_400);
    expect((await env.api('/api/tasks/latency?since=1')).status).to.equal(400);
  });

  it('when an anonymous viewer asks, then it answers as the catalog does (AUTH_ANONYMOUS_ROLE viewer)', async () => {
    expect((await env.anonymous('/api/tasks/latency')).status).to.equal(200);
  });
});
