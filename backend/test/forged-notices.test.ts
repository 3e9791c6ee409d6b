import amqplib from 'amqplib';
import { TEST_RABBITMQ_URL, waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import {
  createGameWithEvent,
  openTaskStream,
  reportStatus,
  startTestEnv,
  type TaskStream,
  type TestEnv,
} from './helpers.js';

/**
 * The task_changes exchange is open to anyone who can publish on the broker: what a notice says
 * about a task never reaches a viewer, only the state the database holds for the task it names.
 */
describe('live stream: task-change notices are read back from the database', function () {
  this.timeout(30_000);
  let env: TestEnv;
  let stream: TaskStream;
  let connection: amqplib.ChannelModel;
  let exchange: string;

  before(async () => {
    // no periodic catch-up during the test: what viewers see comes from notices and writes only
    env = await startTestEnv('forged_notices', { stream: { catchUpIntervalMs: 3_600_000 } });
    exchange = `${env.queues.main}.task_changes`;
    connection = await amqplib.connect(TEST_RABBITMQ_URL);
    stream = await openTaskStream(env.backend.url);
  });
  after(async () => {
    await stream?.close();
    await connection?.close();
    await env?.cleanup();
  });

  /** Publishes a notice as another backend instance would, but with whatever it claims. */
  async function forge(tasks: Record<string, unknown>[]) {
    const channel = await connection.createConfirmChannel();
    channel.publish(exchange, '', Buffer.from(JSON.stringify(tasks)), {
      contentType: 'application/json',
      appId: 'not-a-backend',
    });
    await channel.waitForConfirms();
    await channel.close();
  }

  const framesOf = (messageId: string) => stream.tasks().filter((t) => t.messageId === messageId);

  it('when a forged notice claims a state, then viewers are sent the state the database holds', async () => {
    const a = await createGameWithEvent(env, 'Forged A');
    const b = await createGameWithEvent(env, 'Forged B');
    await waitFor('both new tasks on the stream', () =>
      framesOf(a.eventId).length > 0 && framesOf(b.eventId).length > 0 ? true : undefined,
    );
    const [taskA] = framesOf(a.eventId);
    const [taskB] = framesOf(b.eventId);
    // B truly completes in the database, without this backend's knowing (another instance's write)
    await env.sql.query(
      "UPDATE processing_tasks SET status = 'completed', updated_at = NOW(3) WHERE message_id = ?",
      [b.eventId],
    );

    const future = '2099-01-01T00:00:00.000Z';
    await forge([{ ...taskA, status: 'failed', updatedAt: future, error: 'forged' }]);
    await forge([{ ...taskB, status: 'failed', updatedAt: future, error: 'forged' }]);

    // the second notice was read back after the first: B arrives as the database has it
    await waitFor('B in its true state', () =>
      framesOf(b.eventId).some((t) => t.status === 'completed') ? true : undefined,
    );
    expect(stream.tasks().filter((t) => t.status === 'failed')).to.deep.equal([]);
    expect(framesOf(a.eventId).map((t) => t.status)).to.deep.equal(['pending']);

    // nor did the forged future time hold back A's next true state
    const res = await reportStatus(env, a.eventId, {
      status: 'processing',
      type: 'game',
      gameId: a.game.id,
      attempts: 1,
    });
    expect(res.status).to.be.below(300);
    await waitFor('A processing on the stream', () =>
      framesOf(a.eventId).some((t) => t.status === 'processing') ? true : undefined,
    );
  });
});
