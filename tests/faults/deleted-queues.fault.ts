// The retry queue and the DLQ deleted (an operator's cleanup, a broker policy, a redeploy that
// recreated the vhost) while a poison message and a transiently failing one are being worked on.
// A copy published to a queue that no longer exists is silently dropped by the broker unless it
// is published `mandatory`; the consumer must notice the return, declare the queues again and
// publish the copy once more before it acks the original, so nothing is lost.
import { randomUUID } from 'node:crypto';
import { HEADERS } from '@retro/common';
import { TEST_RABBITMQ_URL, waitFor } from '@retro/common/testing';
import amqplib from 'amqplib';
import { expect } from 'chai';
import { createGames } from './lib/catalog.js';
import { FAULT_TOKEN } from './lib/services.js';
import { FaultWorld, describeState, type Settled, type TaskRow } from './lib/world.js';

const GAMES = 8;
/** Long enough to delete the queues while the first attempts are still running. */
const PROCESSING_DELAY_MS = 1500;
/** Attempts of the transient message that fail before one succeeds. */
const FAIL_ATTEMPTS = 2;

describe('when the retry queue and the DLQ are deleted while messages are being processed', function () {
  this.timeout(3 * 60_000);

  let world: FaultWorld;
  let end: Settled;
  let parked: amqplib.GetMessage[] | null;
  const poisonId = `poison-${randomUUID()}`;
  const transientId = `transient-${randomUUID()}`;
  const task = (messageId: string): TaskRow | undefined =>
    end.state.tasks.find((t) => t.messageId === messageId);

  before(async function () {
    world = await FaultWorld.open('deleted_queues');
    const backend = await world.backend();
    await world
      .consumers({
        BACKEND_URL: backend.url,
        INTERNAL_API_TOKEN: FAULT_TOKEN,
        PROCESSING_DELAY_MS,
        RETRY_DELAY_MS: 100,
        MAX_RETRIES: 3,
        PREFETCH: 20,
        LOG_LEVEL: 'error',
      })
      .spawn();

    const custom = (simulate: string) => ({
      type: 'custom',
      message: `fault test: ${simulate}`,
      timestamp: new Date().toISOString(),
      simulate,
      ...(simulate === 'transient' ? { failAttempts: FAIL_ATTEMPTS } : {}),
    });
    await world.publish([
      { messageId: poisonId, body: custom('permanent') },
      { messageId: transientId, body: custom('transient') },
    ]);
    await createGames(backend, GAMES);

    // both are in their first attempt: neither has had a copy published yet
    await waitFor('the poison and the transient message to be in processing', async () => {
      const tasks = await world.tasks();
      return [poisonId, transientId].every(
        (id) => tasks.find((t) => t.messageId === id)?.status === 'processing',
      );
    });
    await deleteQueues([...world.retryQueues(), world.queues.dlq]);

    end = await world.settle({ tasks: GAMES + 2, timeoutMs: 60_000 });
    parked =
      (await world.depth(world.queues.dlq)) === null ? null : await world.drain(world.queues.dlq);
    console.log(`\n    ${end.outcome} after ${end.seconds} s: ${describeState(end.state)}\n`);
  });

  after(() => world?.close());

  it('then the DLQ exists again and holds exactly the poison message, with its reason', () => {
    expect(
      parked === null ? ['(the DLQ does not exist)'] : parked.map((m) => m.properties.messageId),
      `messages in the DLQ; ${describeState(end.state)}`,
    ).to.deep.equal([poisonId]);
    expect(String(parked![0]!.properties.headers?.[HEADERS.error])).to.match(/permanent/);
  });

  it('then the poison task is failed with its error recorded', () => {
    expect(task(poisonId)?.status).to.equal('failed');
    expect(task(poisonId)?.lastError)
      .to.be.a('string')
      .and.match(/permanent/);
  });

  it(`then the transient message completes after its ${FAIL_ATTEMPTS} retries`, () => {
    const transient = task(transientId);
    expect(
      { status: transient?.status, attempts: transient?.attempts },
      `the transient task (run ${end.outcome})`,
    ).to.deep.equal({ status: 'completed', attempts: FAIL_ATTEMPTS + 1 });
  });

  it('then every game event completes', () => {
    const games = end.state.tasks.filter((t) => t.type === 'game');
    expect(
      games.filter((t) => t.status !== 'completed').map((t) => `${t.messageId}: ${t.status}`),
      `game tasks not completed (of ${games.length})`,
    ).to.deep.equal([]);
    expect(games.length).to.equal(GAMES);
  });

  it('then the retry queues exist again and the main and retry queues are empty', () => {
    expect(
      { main: end.state.main, retry: end.state.retry },
      describeState(end.state),
    ).to.deep.equal({ main: 0, retry: 0 });
  });
});

/** Deletes `queues` as an operator would, on a connection of its own. */
async function deleteQueues(queues: string[]): Promise<void> {
  const connection = await amqplib.connect(TEST_RABBITMQ_URL);
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) await channel.deleteQueue(queue);
  } finally {
    await connection.close();
  }
}
