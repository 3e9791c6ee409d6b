import { expect } from 'chai';
import { waitFor } from '@retro/common/testing';
import {
  type ProducerTestEnv,
  type TaskLookupStub,
  startProducerTestEnv,
  startTaskLookupStub,
} from './helpers.js';
import { park } from './parking.js';

const RULE = 'must be an integer from 0 to 1000000';

/** A request of each publish route carrying these headers. */
const routes = (headers: Record<string, unknown>): [string, string, unknown][] => [
  ['custom', '/api/messages/custom', { message: 'm', headers }],
  ['raw', '/api/messages/raw', { body: { any: 'thing' }, headers }],
  ['game-event', '/api/messages/game-event', { gameId: 1, action: 'update', headers }],
  ['bulk', '/api/messages/bulk', { kind: 'custom', count: 3, payload: { message: 'm', headers } }],
];

describe('message producer: headers bounded where they enter', () => {
  let h: ProducerTestEnv;
  let tasks: TaskLookupStub;
  let parkedId: number;

  before(async () => {
    tasks = await startTaskLookupStub();
    h = await startProducerTestEnv('producer_header_bounds', {
      config: { BACKEND_URL: tasks.url },
    });
    await park(h.queues.dlq, [{ messageId: 'to-edit', body: '{"type":"custom"}', reason: 'r' }]);
    await h.archived(1);
    parkedId = (await h.get('/api/dead-letters?messageId=to-edit')).body[0].id;
  });
  after(async () => {
    await h?.cleanup();
    await tasks?.close();
  });
  afterEach(async () => h.probe.drain(h.queues.main));

  for (const retryCount of [1_000_001, 100_000_000_000]) {
    for (const [route, path, body] of routes({ 'x-retry-count': retryCount })) {
      it(`when ${route} carries x-retry-count ${retryCount}, then it answers 400 naming the header and publishes nothing`, async () => {
        const res = await h.post(path, body);

        expect(res.status).to.equal(400);
        expect(res.body.error.code).to.equal('VALIDATION_FAILED');
        const field = route === 'bulk' ? 'payload.headers.x-retry-count' : 'headers.x-retry-count';
        expect(res.body.error.details).to.deep.include({ field, message: RULE });
        expect(await h.probe.messageCount(h.queues.main)).to.equal(0);
      });
    }

    it(`when an edited parked message carries x-retry-count ${retryCount}, then it answers 400 and sends no copy`, async () => {
      const res = await h.post(`/api/dead-letters/${parkedId}/edit-and-replay`, {
        body: '{"type":"custom","message":"fixed"}',
        headers: { 'x-retry-count': retryCount },
      });

      expect(res.status).to.equal(400);
      expect(res.body.error.details).to.deep.include({
        field: 'headers.x-retry-count',
        message: RULE,
      });
      expect(await h.probe.messageCount(h.queues.main)).to.equal(0);
      expect((await h.get(`/api/dead-letters/${parkedId}`)).body.replayCount).to.equal(0);
    });
  }

  for (const retryCount of [1_000_000, 0]) {
    it(`when every route carries x-retry-count ${retryCount}, then each message goes out with it`, async () => {
      let jobId = '';
      for (const [route, path, body] of routes({ 'x-retry-count': retryCount })) {
        const res = await h.post(path, body);
        expect(res.status, route).to.equal(route === 'bulk' ? 202 : 201);
        if (route === 'bulk') jobId = res.body.jobId;
      }
      await waitFor(
        'the bulk job to end',
        async () => (await h.get(`/api/messages/bulk/${jobId}`)).body.status === 'completed',
      );

      // custom, raw, game event and the bulk job's three
      const sent = await h.probe.drain(h.queues.main);
      expect(sent.map((m) => m.properties.headers?.['x-retry-count'])).to.deep.equal(
        Array(6).fill(retryCount),
      );
    });
  }

  it('when a tester sets more than 16 headers, a name over 64 characters or a text value over 500, then it answers 400 saying which and publishes nothing', async () => {
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`x-h${i}`, i]));
    const name = `x-${'n'.repeat(63)}`;
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [many, 'headers', /at most 16 headers/],
      [{ [name]: 1 }, `headers.${name}`, /1 to 64 letters/],
      [{ 'x-note': 'v'.repeat(501) }, 'headers.x-note', /at most 500 characters/],
    ];
    for (const [headers, field, message] of cases) {
      const res = await h.post('/api/messages/raw', { body: {}, headers });
      expect(res.status, field).to.equal(400);
      const detail = res.body.error.details.find((d: { field: string }) => d.field === field);
      expect(detail?.message, field).to.match(message);
    }
    expect(await h.probe.messageCount(h.queues.main)).to.equal(0);
  });
});
