import { metricValue } from '@retro/common/testing';
import { TaskStreamClient, TcpProxy, waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import type { RunningBackend } from '../src/index.js';
import { startSecondInstance, startTestEnv, TEST_TOKEN, type TestEnv } from './helpers.js';

/** A status report that creates (or moves on) a custom message's task. */
const custom = (messageId: string, status = 'processing') => ({
  messageId,
  status,
  type: 'custom',
  attempts: 1,
});

async function report(backend: RunningBackend, updates: object[]): Promise<void> {
  const res = await fetch(`${backend.url}/api/internal/tasks/status`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` },
    body: JSON.stringify({ updates }),
  });
  expect(res.status).to.equal(200);
  await res.arrayBuffer();
}

describe('live task stream across instances, reconnects and lost notices', function () {
  this.timeout(60_000);
  const clients: TaskStreamClient[] = [];
  let env: TestEnv;
  let broker: TcpProxy;
  /** A second instance on the same database and broker, as behind a load balancer. */
  let other: RunningBackend;

  const viewer = (backend: RunningBackend) => {
    const client = new TaskStreamClient(backend.url, { onReload: () => undefined });
    clients.push(client);
    return client;
  };

  before(async () => {
    // the first instance reaches the broker through a proxy the test can cut
    broker = new TcpProxy('127.0.0.1', 5672);
    const port = await broker.start();
    env = await startTestEnv('stream', {
      config: { RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${port}` },
      // no periodic catch-up during a test: what arrives, arrives by notice or by a resume
      stream: { catchUpIntervalMs: 600_000, resumeLimit: 20 },
    });
    // the tests start once both are connected: a notice published before that is lost (the
    // catch-up repairs it)
    other = await startSecondInstance(env, { stream: { catchUpIntervalMs: 300 } });
  });

  after(async () => {
    for (const client of clients) client.close();
    await other?.stop();
    await env?.cleanup();
    await broker?.stop();
  });

  it('when a stream opens, then its first id is a position in the change order', async () => {
    const client = viewer(env.backend);
    expect(await client.open()).to.equal(200);
    const id = await waitFor('the first id', () => client.lastEventId);
    expect(id).to.match(/^\d{13}-$/);
    expect(Math.abs(Number(id.slice(0, -1)) - Date.now())).to.be.below(60_000);
  });

  it('when another instance commits a change, then its notice brings it to this instance’s viewers', async () => {
    const client = viewer(env.backend);
    await client.open();
    // an instance publishes notices once it has heard that another one has viewers
    await waitFor('the other instance to hear of this one’s viewers', async () =>
      metricValue(await env.metrics(other), 'task_stream_watched_elsewhere') === 1
        ? true
        : undefined,
    );
    await report(other, [custom('notice-1')]);
    const task = await waitFor('the change made elsewhere', () => client.latest.get('notice-1'));
    expect(task.status).to.equal('processing');
    expect(client.lastEventId).to.equal(`${Date.parse(task.updatedAt)}-notice-1`);
    // the catch-up walk may bring the change first; the notice still arrives
    await waitFor('the notice to arrive', async () =>
      metricValue(await env.metrics(), 'task_notices_received_total') >= 1 ? true : undefined,
    );
    expect(metricValue(await env.metrics(other), 'task_notices_published_total')).to.be.at.least(1);
  });

  it('when a viewer reconnects with Last-Event-ID, then it is sent what it missed, and nothing goes backwards', async () => {
    const client = viewer(env.backend);
    await client.open();
    await report(env.backend, [custom('resume-1')]);
    await waitFor('resume-1', () => client.latest.get('resume-1'));
    client.cut();
    await report(other, [custom('resume-1', 'completed'), custom('resume-2')]);
    await report(env.backend, [custom('resume-3', 'failed')]);
    expect(await client.open()).to.equal(200);
    await waitFor('the missed changes', () =>
      ['resume-2', 'resume-3'].every((id) => client.latest.has(id)),
    );
    expect(client.latest.get('resume-1')!.status).to.equal('completed');
    expect(client.latest.get('resume-3')!.status).to.equal('failed');
    expect(client.reloads).to.equal(0);
    expect(client.regressions).to.deep.equal([]);
  });

  it('when a viewer is resumed, then every task frame of the resume carries its own id, in change order', async () => {
    const client = viewer(env.backend);
    await client.open();
    await waitFor('the first id', () => client.lastEventId);
    client.cut();
    const missed = Array.from({ length: 12 }, (_, i) => custom(`ids-${i}`));
    await report(other, missed.slice(0, 6));
    await report(env.backend, missed.slice(6));
    const before = client.frameIds.length;
    await client.open();
    await waitFor('the missed changes', () =>
      missed.every(({ messageId }) => client.latest.has(messageId)),
    );
    const ids = client.frameIds.slice(before);
    expect(ids.length).to.be.at.least(missed.length);
    expect(ids.every((id) => id !== undefined && /^\d{13}-.+$/.test(id))).to.equal(true);
    const positions = ids.map((id) => {
      const [at, ...rest] = id!.split('-');
      return [Number(at), rest.join('-')] as const;
    });
    const sorted = [...positions].sort(
      (a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0),
    );
    expect(positions, 'ids in change order').to.deep.equal(sorted);
    expect(client.lastEventId).to.equal(ids.at(-1));
    expect(client.regressions).to.deep.equal([]);
  });

  it('when it missed more changes than a resume sends, then it is told to reload and goes on from there', async () => {
    const client = viewer(env.backend);
    await client.open();
    const before = await waitFor('the first id', () => client.lastEventId);
    client.cut();
    await report(
      other,
      Array.from({ length: 25 }, (_, i) => custom(`reload-${i}`)),
    );
    await client.open();
    await waitFor('event: reload', () => client.reloads === 1);
    // (notices still on their way when it reconnected may reach it live as well)
    expect(client.lastEventId, 'its position moved on to now').to.not.equal(before);
    await report(env.backend, [custom('after-reload')]);
    await waitFor('the next change', () => client.latest.has('after-reload'));
  });

  it('when the broker connection comes back, then the changes whose notices were lost are caught up', async () => {
    const client = viewer(env.backend);
    await client.open();
    const repairedBefore = metricValue(await env.metrics(), 'task_stream_repaired_total');
    broker.disconnect();
    await waitFor('the broker to be gone', async () => (await env.api('/ready')).status === 503);
    await report(other, [custom('lost-1', 'completed'), custom('lost-2', 'failed')]);
    broker.restore();
    await waitFor(
      'the lost changes',
      () => client.latest.has('lost-1') && client.latest.has('lost-2'),
    );
    expect(
      metricValue(await env.metrics(), 'task_stream_repaired_total') - repairedBefore,
    ).to.be.at.least(2);
  });

  it('when a change was committed but no notice ever comes, then the periodic catch-up sends it', async () => {
    const client = viewer(other);
    await client.open();
    await waitFor('the first id', () => client.lastEventId);
    // as if the instance that committed it had died before publishing its notice
    await env.sql.query(
      "INSERT INTO processing_tasks (message_id, type, status, attempts) VALUES ('direct-1', 'custom', 'completed', 1)",
    );
    const task = await waitFor('the change', () => client.latest.get('direct-1'));
    expect(task.status).to.equal('completed');
  });
});
