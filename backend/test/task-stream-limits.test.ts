import { metricValue } from '@retro/common/testing';
import { TaskStreamClient, waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import { startTestEnv, TEST_TOKEN, type TestEnv } from './helpers.js';

/** Another client, as the server sees it: loopback has a whole /8 of addresses. */
const from = (n: number) => `127.0.0.${n}`;

describe('live task stream limits', function () {
  this.timeout(60_000);
  const clients: TaskStreamClient[] = [];
  let env: TestEnv;

  const stream = (localAddress: string) => {
    const client = new TaskStreamClient(env.backend.url, { localAddress });
    clients.push(client);
    return client;
  };

  before(async () => {
    env = await startTestEnv('streamcaps', {
      config: { STREAM_MAX_CLIENTS: 3, STREAM_MAX_PER_CLIENT: 2 },
      stream: { maxBufferBytes: 128 * 1024 },
    });
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await waitFor('every stream closed', async () => {
      return metricValue(await env.metrics(), 'task_streams_open') === 0;
    });
  });

  after(async () => {
    await env?.cleanup();
  });

  function expectTooMany(client: TaskStreamClient, message: RegExp) {
    expect(client.status).to.equal(429);
    const { error } = JSON.parse(client.refusal!) as { error: Record<string, unknown> };
    expect(error).to.include({ code: 'TOO_MANY_STREAMS' });
    expect(error.message).to.match(message);
    expect(error.details).to.deep.equal([]);
  }

  it('when one client holds STREAM_MAX_PER_CLIENT streams, then its next gets 429, and a freed slot can be used again', async () => {
    const [first, second, third] = [stream(from(1)), stream(from(1)), stream(from(1))];
    expect(await first.open()).to.equal(200);
    expect(await second.open()).to.equal(200);
    expect(await third.open()).to.equal(429);
    expectTooMany(third, /At most 2 live streams may be open from one client/);
    expect(await stream(from(2)).open(), 'another client is not affected').to.equal(200);

    first.close();
    await waitFor('the slot freed', async () => (await third.open()) === 200);
    const text = await env.metrics();
    expect(metricValue(text, 'task_streams_refused_total', { cap: 'client' })).to.be.at.least(1);
    expect(metricValue(text, 'task_streams_open')).to.equal(3);
  });

  it('when STREAM_MAX_CLIENTS streams are open, then the next one from any client gets 429', async () => {
    const open = [stream(from(3)), stream(from(4)), stream(from(5))];
    for (const client of open) expect(await client.open()).to.equal(200);
    const refused = stream(from(6));
    expect(await refused.open()).to.equal(429);
    expectTooMany(refused, /This server has 3 live streams open, its limit/);
    open[0]!.close();
    await waitFor('the slot freed', async () => (await refused.open()) === 200);
  });

  it('when a reader stops reading while changes flow, then the server drops it and counts it, and the others get everything', async () => {
    const slow = stream(from(7));
    const reader = stream(from(8));
    await slow.open();
    await reader.open();
    slow.pause();
    const dropped = () =>
      env.metrics().then((text) => metricValue(text, 'task_stream_slow_readers_dropped_total'));
    let sent = 0;
    // about 2.3 KB a frame, 200 frames a request: socket buffers fill, then the server's bound
    while ((await dropped()) === 0 && sent < 40_000) {
      const updates = Array.from({ length: 200 }, (_, i) => ({
        messageId: `slow-${sent + i}`,
        status: 'failed',
        type: 'custom',
        attempts: 1,
        error: 'e'.repeat(2000),
      }));
      const res = await env.api('/api/internal/tasks/status', {
        method: 'PUT',
        token: TEST_TOKEN,
        body: { updates },
      });
      expect(res.status).to.equal(200);
      sent += updates.length;
    }
    expect(await dropped()).to.equal(1);
    await waitFor('the reader to see every change', () => reader.count('failed') === sent);
    expect(metricValue(await env.metrics(), 'task_streams_open')).to.equal(1);
    console.log(`      dropped after ${sent} changes of ~2.3 KB`);
  });
});
