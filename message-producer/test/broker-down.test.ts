import { expect } from 'chai';
import { TcpProxy, waitFor } from '@retro/common/testing';
import { type ProducerTestEnv, startProducerTestEnv } from './helpers.js';

const BROKER = new URL(process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672');

describe('message producer: broker unreachable', () => {
  describe('when the broker was never reachable', () => {
    let h: ProducerTestEnv;

    before(async () => {
      // a port nothing listens on: a proxy that is cut from the start
      const closed = new TcpProxy('127.0.0.1', 9);
      const port = await closed.start();
      await closed.stop();
      h = await startProducerTestEnv(
        'producer_down',
        { config: { RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${port}` } },
        { waitForBroker: false },
      );
    });
    after(async () => h.cleanup());

    for (const [path, body] of [
      ['/api/messages/game-event', { gameId: 1, action: 'create' }],
      ['/api/messages/custom', { message: 'hello' }],
      ['/api/messages/raw', { body: { any: 'thing' } }],
      ['/api/messages/bulk', { kind: 'custom', count: 10, payload: { message: 'm' } }],
      ['/api/dlq/replay', { all: true }],
      ['/api/dead-letters/replays', { filter: {} }],
    ] as const) {
      it(`then POST ${path} answers 503 SERVICE_UNAVAILABLE at once and claims no message id`, async () => {
        const started = Date.now();
        const res = await h.post(path, body);

        expect(res.status).to.equal(503);
        expect(res.body.error.code).to.equal('SERVICE_UNAVAILABLE');
        expect(res.body).to.not.have.property('messageId');
        expect(Date.now() - started).to.be.below(1_000);
      });
    }

    it('then queue stats answer 503 while the archive still reads; health stays 200 and ready is 503', async () => {
      expect((await h.get('/api/queues')).status).to.equal(503);
      // parked messages are read from the archive in MySQL: the broker is not needed for that
      expect((await h.get('/api/dlq')).status).to.equal(200);
      expect((await h.get('/api/dead-letters')).status).to.equal(200);
      const health = await h.get('/health');
      expect(health.status).to.equal(200);
      expect(health.body.broker).to.equal('disconnected');
      expect((await h.get('/ready')).status).to.equal(503);
    });

    it('then bad input is still answered 400, not 503', async () => {
      const res = await h.post('/api/messages/custom', {});
      expect(res.status).to.equal(400);
    });
  });

  describe('when the link to the broker is cut and restored', () => {
    let h: ProducerTestEnv;
    let proxy: TcpProxy;

    before(async () => {
      proxy = new TcpProxy(BROKER.hostname, Number(BROKER.port || 5672));
      const port = await proxy.start();
      const url = new URL(BROKER);
      url.port = String(port);
      h = await startProducerTestEnv('producer_cut', {
        config: { RABBITMQ_URL: url.toString() },
        publishTimeoutMs: 1_000,
      });
    });
    after(async () => {
      await h.cleanup();
      await proxy.stop();
    });

    it('then publishes answer 503 while it is cut, only confirmed ones are in the queue, and publishing works again after', async () => {
      const before = await h.post('/api/messages/custom', { message: 'before the cut' });
      expect(before.status).to.equal(201);

      proxy.disconnect();
      await waitFor(
        'the producer to notice the cut',
        async () => (await h.get('/ready')).status === 503,
      );
      const during = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          h.post('/api/messages/custom', { message: `cut ${i}` }),
        ),
      );
      expect(during.map((r) => r.status)).to.deep.equal([503, 503, 503, 503, 503]);

      proxy.restore();
      const after = await waitFor('publishing to work again', async () => {
        const res = await h.post('/api/messages/custom', { message: 'after the cut' });
        return res.status === 201 ? res : undefined;
      });

      const landed = await h.probe.drain(h.queues.main);
      expect(landed.map((m) => m.properties.messageId)).to.deep.equal([
        before.body.messageId,
        after.body.messageId,
      ]);
    });
  });
});
