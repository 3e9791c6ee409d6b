import type { JourneyEntry, TaskJourney } from '@retro/common';
import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import { ConsumerTestEnv, type TestConsumer } from './helpers.js';

/** The journey once it holds a `stage` step: the steps ride on status reports, a moment later. */
async function journeyWith(env: ConsumerTestEnv, messageId: string, stage: string) {
  return waitFor(`a ${stage} step in the journey of ${messageId}`, async () => {
    const res = await env.api<TaskJourney>(`/api/tasks/${encodeURIComponent(messageId)}/journey`);
    return res.body.entries?.some((e) => e.stage === stage) ? res.body.entries : undefined;
  });
}

function expectTimeOrder(entries: JourneyEntry[]) {
  const times = entries.map((e) => Date.parse(e.at));
  expect(times, JSON.stringify(entries)).to.deep.equal([...times].sort((a, b) => a - b));
}

describe("message consumer: each message's journey, recorded on the real broker and database", function () {
  this.timeout(60_000);
  let env: ConsumerTestEnv;
  let consumer: TestConsumer;

  before(async () => {
    env = await ConsumerTestEnv.start('consumer_journey');
    consumer = await env.startConsumer({
      PROCESSING_DELAY_MS: 0,
      RETRY_DELAY_MS: 200,
      MAX_RETRIES: 3,
    });
  });
  after(() => env?.cleanup());

  it('when a game is created, then its journey is written → published → delivered → completed', async () => {
    const { eventId } = await env.createGame('Journey Quest');
    await env.waitForTask(eventId, 'completed');
    const entries = await journeyWith(env, eventId, 'completed');
    expect(entries.map((e) => e.stage)).to.deep.equal([
      'written',
      'published',
      'delivered',
      'completed',
    ]);
    expect(entries.map((e) => e.service)).to.deep.equal([
      'backend',
      'relay',
      'consumer',
      'consumer',
    ]);
    expect(entries[2]!.detail).to.deep.equal({ attempt: 1 });
    expect(entries[2]!.instance).to.be.a('string');
    expectTimeOrder(entries);
  });

  it('when a message fails twice, then completes, then its journey shows both attempts failed, both retry tiers and the completion', async () => {
    const messageId = await env.publishCustom({ simulate: 'transient', failAttempts: 2 });
    await env.waitForTask(messageId, 'completed');
    const entries = await journeyWith(env, messageId, 'completed');
    expect(entries.map((e) => e.stage)).to.deep.equal([
      'delivered',
      'attempt-failed',
      'retry-scheduled',
      'delivered',
      'attempt-failed',
      'retry-scheduled',
      'delivered',
      'completed',
    ]);
    expectTimeOrder(entries);
    const tiers = entries.filter((e) => e.stage === 'retry-scheduled').map((e) => e.detail.tier);
    expect(tiers[0]).to.not.equal(tiers[1]);
    expect(entries[1]!.detail.error).to.match(/simulated transient failure/);
    expect(
      entries.filter((e) => e.stage === 'delivered').map((e) => e.detail.attempt),
    ).to.deep.equal([1, 2, 3]);
    void consumer;
  });

  it('when a message fails for good, then its journey ends parked (with the reason) and failed', async () => {
    const messageId = await env.publishCustom({ simulate: 'permanent' });
    await env.waitForTask(messageId, 'failed');
    const entries = await journeyWith(env, messageId, 'parked');
    expect(entries.map((e) => e.stage)).to.deep.equal([
      'delivered',
      'attempt-failed',
      'parked',
      'failed',
    ]);
    expect(entries[2]!.detail.reason).to.match(/simulated permanent failure/);
  });
});
