import { expect } from 'chai';
import { waitFor } from '@retro/common/testing';
import { type ProducerTestEnv, startProducerTestEnv } from './helpers.js';

describe('message producer: bulk publishing', () => {
  let h: ProducerTestEnv;

  before(async () => {
    h = await startProducerTestEnv('producer_bulk', {}, { role: 'tester' });
  });
  after(async () => h.cleanup());
  afterEach(async () => h.probe.drain(h.queues.main));

  const finished = (jobId: string) =>
    waitFor(
      'the bulk job to finish',
      async () => {
        const { body } = await h.get(`/api/messages/bulk/${jobId}`);
        return body.status === 'running' ? undefined : body;
      },
      { timeoutMs: 30_000 },
    );

  it('when 1,000 game events are published in bulk, then the job counts 1,000 confirmed and all 1,000 arrive, each with its own event id', async () => {
    const started = await h.post('/api/messages/bulk', {
      kind: 'game-event',
      count: 1000,
      payload: { gameId: 5, action: 'process' },
    });
    expect(started.status).to.equal(202);
    expect(started.body).to.include({ count: 1000, status: 'running' });

    const job = await finished(started.body.jobId);

    expect(job).to.include({ status: 'completed', sent: 1000, confirmed: 1000, failed: 0 });
    const messages = await waitFor('1,000 messages in the queue', async () =>
      (await h.probe.messageCount(h.queues.main)) === 1000
        ? h.probe.drain(h.queues.main)
        : undefined,
    );
    const ids = new Set(messages.map((m) => m.properties.messageId as string));
    expect(ids.size).to.equal(1000);
    for (const m of messages) {
      const body = JSON.parse(m.content.toString());
      expect(body.eventId).to.equal(m.properties.messageId);
      expect(body).to.include({ gameId: 5, action: 'process' });
      expect(m.properties.deliveryMode).to.equal(2);
    }
  });

  it('when a raw game event with an eventId is published in bulk, then every copy gets a fresh eventId', async () => {
    const started = await h.post('/api/messages/bulk', {
      kind: 'raw',
      count: 3,
      payload: { body: { eventId: 'same', gameId: 1, action: 'create' } },
    });
    await finished(started.body.jobId);

    const messages = await h.probe.drain(h.queues.main);
    const eventIds = messages.map((m) => JSON.parse(m.content.toString()).eventId);
    expect(new Set(eventIds).size).to.equal(3);
    expect(eventIds).to.not.include('same');
  });

  it('when an unknown job is asked for, then it answers 404', async () => {
    const res = await h.get('/api/messages/bulk/nope');
    expect(res.status).to.equal(404);
    expect(res.body.error.code).to.equal('NOT_FOUND');
  });
});
