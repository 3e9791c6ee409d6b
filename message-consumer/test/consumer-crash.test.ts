import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import { ConsumerTestEnv } from './helpers.js';

describe('message consumer: process crash and shutdown', () => {
  let env: ConsumerTestEnv;

  before(async () => {
    env = await ConsumerTestEnv.start('consumer_crash');
  });
  after(() => env?.cleanup());

  async function publishBatch(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i += 1) ids.push(await env.publishCustom({ message: `job ${i}` }));
    return ids;
  }

  it('when a consumer is killed with -9 mid-batch, then a second consumer finishes every message', async () => {
    const { child, exited } = await env.spawnConsumer({ PROCESSING_DELAY_MS: 500, PREFETCH: 5 });
    const ids = await publishBatch(20);
    await waitFor('the first consumer to be mid-batch', async () => {
      const counts = await env.counts();
      return counts.completed >= 1 && counts.processing >= 1;
    });
    child.kill('SIGKILL');
    await exited;
    const stuck = (await env.counts()).processing;
    expect(stuck, 'messages left half-done by the crash').to.be.greaterThan(0);

    const second = await env.startConsumer({ PROCESSING_DELAY_MS: 10, PREFETCH: 5 });
    for (const id of ids) await env.waitForTask(id, 'completed', 30_000);
    expect(await env.probe.messageCount(env.queues.main)).to.equal(0);
    expect(await env.probe.messageCount(env.queues.dlq)).to.equal(0);
    // what the crash left unacked came back to the second consumer
    await waitFor('the second consumer to settle what the crash left', () =>
      second.settlements.filter((s) => s.outcome === 'completed').length >= stuck
        ? true
        : undefined,
    );
    await second.stop();
  });

  it('when a consumer gets SIGTERM, then it stops taking messages, finishes what is in flight and exits 0', async () => {
    const { child, port, exited } = await env.spawnConsumer({
      PROCESSING_DELAY_MS: 1000,
      PREFETCH: 3,
    });
    const ids = await publishBatch(12);
    const inFlight = await waitFor('messages in flight', async () => {
      const tasks = await Promise.all(ids.map((id) => env.task(id)));
      const processing = tasks.filter((t) => t?.status === 'processing').map((t) => t!.messageId);
      return processing.length > 0 ? processing : undefined;
    });
    child.kill('SIGTERM');
    expect(await exited).to.equal(0);
    await waitFor('the health port to close', async () => {
      try {
        await fetch(`http://127.0.0.1:${port}/health`);
        return false;
      } catch {
        return true;
      }
    });

    // what was in flight was finished, not abandoned
    for (const id of inFlight) expect((await env.task(id))?.status).to.equal('completed');
    const unfinished = (await Promise.all(ids.map((id) => env.task(id)))).filter(
      (t) => t?.status !== 'completed',
    );
    expect(unfinished.every((t) => t === undefined || t.status === 'pending')).to.equal(true);
    expect(await env.probe.messageCount(env.queues.main)).to.equal(unfinished.length);

    const next = await env.startConsumer({ PROCESSING_DELAY_MS: 0 });
    for (const id of ids) await env.waitForTask(id, 'completed');
    await next.stop();
  });
});
