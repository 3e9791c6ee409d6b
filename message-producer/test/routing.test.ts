import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import { type ProducerTestEnv, clearArchive, startProducerTestEnv } from './helpers.js';
import { park } from './parking.js';

/** Parks messages as the consumer does and waits until the archive holds them. */
async function parkAndArchive(h: ProducerTestEnv, ids: string[]) {
  await park(
    h.queues.dlq,
    ids.map((id, i) => ({
      messageId: id,
      body: JSON.stringify({ type: 'custom', message: id }),
      reason: 'gave up',
      failedAt: new Date(Date.parse('2024-05-01T10:00:00.000Z') + i).toISOString(),
    })),
  );
  await h.archived(ids.length);
}

const idsOf = (messages: { properties: { messageId?: string } }[]) =>
  messages.map((m) => m.properties.messageId);

/** An operator deletes `game_events` while the producer runs: publishes declare it again. */
describe('message producer: the main queue deleted under it', () => {
  let h: ProducerTestEnv;

  before(async () => {
    h = await startProducerTestEnv('producer_routing');
  });
  after(async () => h.cleanup());
  afterEach(async () => {
    await h.probe.drain(h.queues.main);
    await clearArchive(h.db);
  });

  it('when a custom message is published after the main queue was deleted, then it answers 201 and the message is in the declared-again queue', async () => {
    await h.probe.deleteQueue(h.queues.main);

    const res = await h.post('/api/messages/custom', { message: 'after the delete' });

    expect(res.status).to.equal(201);
    const [msg, ...rest] = await h.probe.drain(h.queues.main);
    expect(rest).to.have.length(0);
    expect(msg!.properties.messageId).to.equal(res.body.messageId);
  });

  it('when a parked message is replayed after the main queue was deleted, then it lands in the declared-again main queue exactly once and only it is marked replayed', async () => {
    await parkAndArchive(h, ['r-1', 'r-2']);
    await h.probe.deleteQueue(h.queues.main);

    const res = await h.post('/api/dlq/replay', { messageId: 'r-2' });

    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ replayed: 1, messageIds: ['r-2'] });
    expect(idsOf(await h.probe.drain(h.queues.main))).to.deep.equal(['r-2']);
    const waiting = await h.get('/api/dead-letters?replayed=false');
    expect(waiting.body.map((d: { messageId: string }) => d.messageId)).to.deep.equal(['r-1']);
  });

  it('when everything parked is replayed after the main queue was deleted, then every message lands once in the declared-again main queue and none is left to replay', async () => {
    const ids = Array.from({ length: 150 }, (_, i) => `all-${i}`); // more than one batch
    await parkAndArchive(h, ids);
    await h.probe.deleteQueue(h.queues.main);

    const res = await h.post('/api/dlq/replay', { all: true });

    expect(res.status).to.equal(200);
    expect(res.body.messageIds).to.have.members(ids);
    const arrived = idsOf(await h.probe.drain(h.queues.main));
    expect(arrived).to.have.length(150);
    expect(arrived).to.have.members(ids);
    expect((await h.get('/api/dlq')).body.total).to.equal(0);
  });

  it('when a bulk job starts after the main queue was deleted, then every message is confirmed and in the declared-again queue', async () => {
    await h.probe.deleteQueue(h.queues.main);

    const started = await h.post('/api/messages/bulk', {
      kind: 'custom',
      count: 300,
      payload: { message: 'bulk after the delete' },
    });
    const job = await waitFor('the bulk job to finish', async () => {
      const { body } = await h.get(`/api/messages/bulk/${started.body.jobId}`);
      return body.status === 'running' ? undefined : body;
    });

    expect(job).to.include({ status: 'completed', confirmed: 300, failed: 0 });
    expect(await h.probe.messageCount(h.queues.main)).to.equal(300);
  });
});
