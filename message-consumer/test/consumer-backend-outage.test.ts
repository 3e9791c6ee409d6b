import { metricValue } from '@retro/common/testing';
import { HEADERS } from '@retro/common';
import { TcpProxy, waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import { ConsumerTestEnv, RecordingBackendProxy, settledAs, type TestConsumer } from './helpers.js';

const RETRY_DELAY_MS = 200;

/** The consumer's /health body. */
async function health(consumer: TestConsumer) {
  const res = await fetch(`http://127.0.0.1:${consumer.port}/health`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function metrics(consumer: TestConsumer): Promise<string> {
  return (await fetch(`http://127.0.0.1:${consumer.port}/metrics`)).text();
}

/** Outcomes of one message's settlements, in order. */
const outcomesOf = (consumer: TestConsumer, messageId: string) =>
  consumer.settlements.filter((s) => s.messageId === messageId).map((s) => s.outcome);

describe('message consumer: backend outages and refusals (circuit breaker)', () => {
  let env: ConsumerTestEnv;

  before(async () => {
    env = await ConsumerTestEnv.start('consumer_backend');
  });
  after(() => env?.cleanup());

  describe('when the backend answers 5xx', () => {
    let proxy: RecordingBackendProxy;
    let consumer: TestConsumer;

    before(async () => {
      proxy = new RecordingBackendProxy(env.backend.url);
      const url = await proxy.start();
      consumer = await env.startConsumer({ BACKEND_URL: url, RETRY_DELAY_MS, MAX_RETRIES: 3 });
    });
    after(async () => {
      await consumer.stop();
      await proxy.stop();
    });
    afterEach(() => (proxy.failWith = () => undefined));

    it('then the message is handed back without spending a retry, consuming pauses, and it completes once the backend answers', async () => {
      proxy.failWith = (body) => (body.status === 'processing' ? 503 : undefined);
      const { eventId } = await env.createGame('Castlevania');
      await waitFor(
        'the circuit to open',
        async () => (await health(consumer)).body.circuit === 'open',
      );
      const degraded = await health(consumer);
      expect(degraded.status).to.equal(200);
      expect(degraded.body).to.include({ status: 'degraded', cause: 'server_error' });
      expect(degraded.body.reason).to.match(/backend answered 503 to processing/);
      await waitFor('the subscription to be cancelled', async () =>
        (await env.probe.consumerCount(env.queues.main)) === 0 ? true : undefined,
      );
      expect(metricValue(await metrics(consumer), 'consumer_circuit_open')).to.equal(1);

      proxy.failWith = () => undefined;
      const task = await env.waitForTask(eventId, 'completed', 20_000);
      expect(task.attempts, 'no retry was spent').to.equal(1);
      const mine = await settledAs(consumer, eventId, 'completed');
      expect(mine.every((s) => s.retryCount === 0)).to.equal(true);
      expect(mine.map((s) => s.outcome)).to.not.include.members(['retried', 'parked']);
      expect((await health(consumer)).body).to.include({ status: 'ok', circuit: 'closed' });
      const text = await metrics(consumer);
      expect(metricValue(text, 'consumer_circuit_open')).to.equal(0);
      expect(text).to.match(/consumer_circuit_opened_total\{cause="server_error"\} [1-9]/);
      expect(await env.probe.messageCount(env.queues.dlq)).to.equal(0);
    });

    it('then a completed report that fails is handed back too, and the message completes later', async () => {
      let failures = 6; // more than the quick in-place retries hide
      proxy.failWith = (body) => (body.status === 'completed' && failures-- > 0 ? 500 : undefined);
      const { id, eventId } = await env.createGame('Ghosts n Goblins');
      await env.waitForTask(eventId, 'completed', 20_000);
      expect(outcomesOf(consumer, eventId)).to.include('requeued').and.not.include('parked');
      const game = await env.api<{ processingStatus: string }>(`/api/games/${id}`);
      expect(game.body.processingStatus).to.equal('completed');
    });

    it('when the backend refuses a status write with a 4xx, then the message is parked at once without retries', async () => {
      proxy.failWith = (body) => (body.status === 'processing' ? 422 : undefined);
      const messageId = await env.publishCustom();
      const task = await env.waitForTask(messageId, 'failed');
      expect(task.lastError).to.match(/backend answered 422 to processing/);
      expect((await settledAs(consumer, messageId, 'parked')).map((s) => s.outcome)).to.deep.equal([
        'parked',
      ]);
      // no quick in-place retries either: one processing write, then the failed report
      expect(
        proxy.requests.filter((r) => r.messageId === messageId).map((r) => r.body.status),
      ).to.deep.equal(['processing', 'failed']);
      const [parked] = await env.probe.drain(env.queues.dlq);
      expect(parked!.properties.headers?.[HEADERS.retryCount]).to.equal(0);
    });

    it('when the backend fails only briefly, then the quick in-place retry hides it and nothing is requeued', async () => {
      let failures = 1;
      proxy.failWith = () => (failures-- > 0 ? 502 : undefined);
      const messageId = await env.publishCustom();
      await env.waitForTask(messageId, 'completed');
      expect(outcomesOf(consumer, messageId)).to.deep.equal(['completed']);
    });

    it('when a message is parked while the backend is down, then its task still ends failed once the backend is back', async () => {
      proxy.failWith = (body) => (body.status === 'failed' ? 503 : undefined);
      const messageId = await env.publishCustom({ simulate: 'permanent' });
      await waitFor(
        'the circuit to open',
        async () => (await health(consumer)).body.circuit === 'open',
      );
      expect(await env.probe.messageCount(env.queues.dlq)).to.equal(1);
      expect((await env.task(messageId))?.status).to.equal('processing');
      proxy.failWith = () => undefined;
      const task = await env.waitForTask(messageId, 'failed', 20_000);
      expect(task.lastError).to.equal('simulated permanent failure');
      await settledAs(consumer, messageId, 'parked');
      expect(await env.probe.drain(env.queues.dlq)).to.have.length(1);
    });
  });

  describe('when the backend refuses the token (401)', () => {
    let proxy: RecordingBackendProxy;
    let consumer: TestConsumer;

    before(async () => {
      proxy = new RecordingBackendProxy(env.backend.url);
      consumer = await env.startConsumer({ BACKEND_URL: await proxy.start() });
    });
    after(async () => {
      await consumer.stop();
      await proxy.stop();
    });

    it('then /health is degraded naming INTERNAL_API_TOKEN, nothing is parked, and messages complete once the token is accepted', async () => {
      proxy.refuseToken = true;
      const ids = [await env.publishCustom(), await env.publishCustom()];
      await waitFor(
        'the circuit to open',
        async () => (await health(consumer)).body.circuit === 'open',
      );
      const { status, body } = await health(consumer);
      expect(status).to.equal(200);
      expect(body).to.include({ status: 'degraded', cause: 'unauthorized' });
      expect(body.reason).to.contain('INTERNAL_API_TOKEN');
      expect(await metrics(consumer)).to.match(
        /consumer_circuit_opened_total\{cause="unauthorized"\} 1/,
      );
      // the probe keeps asking with the token: the circuit stays open while it is refused
      await new Promise((r) => setTimeout(r, 1500));
      expect((await health(consumer)).body.circuit).to.equal('open');

      proxy.refuseToken = false;
      for (const id of ids) await env.waitForTask(id, 'completed', 20_000);
      expect(await env.probe.messageCount(env.queues.dlq)).to.equal(0);
      for (const id of ids) expect(outcomesOf(consumer, id)).to.not.include('parked');
    });
  });

  describe('when the backend is unreachable', () => {
    let link: TcpProxy;
    let consumer: TestConsumer;

    before(async () => {
      link = new TcpProxy('127.0.0.1', env.backend.port);
      await link.start();
      consumer = await env.startConsumer({
        BACKEND_URL: `http://127.0.0.1:${link.port}`,
        RETRY_DELAY_MS,
        MAX_RETRIES: 1,
      });
    });
    after(async () => {
      await consumer.stop();
      await link.stop();
    });

    it('for longer than the retries would allow, then nothing is retried or parked, and everything completes once it is back', async () => {
      link.disconnect();
      const ids = [await env.publishCustom(), await env.publishCustom(), await env.publishCustom()];
      await waitFor('the circuit to open', async () =>
        (await health(consumer)).body.cause === 'unreachable' ? true : undefined,
      );
      // longer than MAX_RETRIES · RETRY_DELAY_MS would have lasted
      await new Promise((r) => setTimeout(r, 2000));
      expect(await env.probe.messageCount(env.queues.main)).to.equal(3);
      link.restore();
      for (const id of ids) await env.waitForTask(id, 'completed', 20_000);
      for (const id of ids) {
        expect(outcomesOf(consumer, id)).to.not.include.members(['retried']);
        expect(outcomesOf(consumer, id)).to.not.include('parked');
      }
      expect(await env.probe.messageCount(env.queues.dlq)).to.equal(0);
      expect(await metrics(consumer)).to.match(
        /consumer_circuit_opened_total\{cause="unreachable"\} [1-9]/,
      );
    });
  });
});
