import { metricValue, TaskStreamClient, waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import type { RunningBackend } from '../src/index.js';
import { startSecondInstance, startTestEnv, TEST_TOKEN, type TestEnv } from './helpers.js';

async function report(backend: RunningBackend, messageId: string): Promise<void> {
  const res = await fetch(`${backend.url}/api/internal/tasks/status`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` },
    body: JSON.stringify({
      updates: [{ messageId, status: 'processing', type: 'custom', attempts: 1 }],
    }),
  });
  expect(res.status).to.equal(200);
  await res.arrayBuffer();
}

describe('live task stream: notices only while someone watches', function () {
  this.timeout(60_000);
  let env: TestEnv;
  /** A second instance on the same database and broker, whose viewers come and go. */
  let other: RunningBackend;
  const clients: TaskStreamClient[] = [];

  const metric = async (backend: RunningBackend, name: string) =>
    metricValue(await env.metrics(backend), name);

  before(async () => {
    // no periodic catch-up on the viewers' instance: what reaches it, reaches it by notice
    env = await startTestEnv('stream_audience', { stream: { catchUpIntervalMs: 600_000 } });
    other = await startSecondInstance(env, { stream: { catchUpIntervalMs: 600_000 } });
  });

  after(async () => {
    for (const client of clients) client.close();
    await other?.stop();
    await env?.cleanup();
  });

  it('when nobody watches on any instance, then a change is neither read back nor published', async () => {
    const published = await metric(other, 'task_notices_published_total');
    await report(other, 'unwatched-1');
    // a notice would have been published in the same turn of the event loop; give it time
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await metric(other, 'task_notices_published_total')).to.equal(published);
    expect(await metric(other, 'task_stream_watched_elsewhere')).to.equal(0);
  });

  it('when a viewer opens on one instance, then the other hears of it at once and its changes reach the viewer by notice', async () => {
    const client = new TaskStreamClient(env.backend.url, { onReload: () => undefined });
    clients.push(client);
    expect(await client.open()).to.equal(200);
    const heard = performance.now();
    await waitFor('the other instance to hear of the viewer', async () =>
      (await metric(other, 'task_stream_watched_elsewhere')) === 1 ? true : undefined,
    );
    // announced with the first viewer, not at the next heartbeat
    expect(performance.now() - heard).to.be.below(900);
    await report(other, 'watched-1');
    const task = await waitFor('the change made elsewhere', () => client.latest.get('watched-1'));
    expect(task.status).to.equal('processing');
    expect(await metric(env.backend, 'task_notices_received_total')).to.be.at.least(1);
    // the viewers' own instance has nobody watching elsewhere: it publishes nothing
    const ownPublished = await metric(env.backend, 'task_notices_published_total');
    await report(env.backend, 'watched-2');
    await waitFor('its own change', () => client.latest.get('watched-2'));
    expect(await metric(env.backend, 'task_notices_published_total')).to.equal(ownPublished);
  });

  it('when the last viewer leaves, then the other instance stops publishing once the announcements lapse', async () => {
    clients.pop()!.close();
    await waitFor(
      'the announcement to lapse',
      async () => ((await metric(other, 'task_stream_watched_elsewhere')) === 0 ? true : undefined),
      { timeoutMs: 10_000 },
    );
    const published = await metric(other, 'task_notices_published_total');
    await report(other, 'unwatched-2');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await metric(other, 'task_notices_published_total')).to.equal(published);
  });
});
