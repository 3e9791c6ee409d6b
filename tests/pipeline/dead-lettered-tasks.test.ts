import { startBackend, type RunningBackend } from '@retro/backend';
import { openTestResources, type TestResources } from '@retro/database/testing';
import { TEST_METRICS_TOKEN, TEST_RABBITMQ_URL, jsonApi, waitFor } from '@retro/common/testing';
import { startProducer, type RunningProducer } from '@retro/message-producer';
import amqplib from 'amqplib';
import { expect } from 'chai';
import type { RowDataPacket } from 'mysql2/promise';

const TOKEN = 'dead-lettered-token-0123456789';

/**
 * A message the broker dead-letters by itself (a TTL here; a quorum queue's delivery limit works
 * the same way) reaches the DLQ without any consumer's report. The archiver stores it with the
 * broker's reason, and the backend's housekeeping then marks its task failed with that reason
 * instead of leaving it `processing` until it shows as stalled.
 */
describe('a game event the broker dead-lettered by itself', function () {
  this.timeout(60_000);
  let resources: TestResources;
  let backend: RunningBackend;
  let producer: RunningProducer;
  let connection: amqplib.ChannelModel;
  let channel: amqplib.ConfirmChannel;
  let expiring: string;

  before(async () => {
    resources = await openTestResources('dead_lettered_tasks');
    const config = {
      DB_NAME: resources.database.database,
      INTERNAL_API_TOKEN: TOKEN,
      METRICS_TOKEN: TEST_METRICS_TOKEN,
      LOG_LEVEL: 'error',
    };
    backend = await startBackend({
      queues: resources.queues,
      relayPollIntervalMs: 50,
      config: { ...config, BACKEND_PORT: 0, HOUSEKEEPING_INTERVAL_MS: 86_400_000 },
    });
    producer = await startProducer({
      queues: resources.queues,
      rateLimit: false,
      archiver: { lingerMs: 5, schemaPollMs: 200 },
      config: { ...config, PRODUCER_PORT: 0, BACKEND_URL: backend.url },
    });
    connection = await amqplib.connect(TEST_RABBITMQ_URL);
    channel = await connection.createConfirmChannel();
    // a queue of the test's own whose messages expire at once into the DLQ
    expiring = `${resources.queues.main}.expiring`;
    await channel.assertQueue(expiring, {
      durable: true,
      arguments: {
        'x-message-ttl': 1,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': resources.queues.dlq,
      },
    });
  });

  after(async () => {
    await channel?.deleteQueue(expiring).catch(() => undefined);
    await connection?.close().catch(() => undefined);
    await producer?.stop();
    await backend?.stop();
    await resources?.release();
  });

  const editor = () => jsonApi(backend.url, { token: resources.accounts.editor.token });

  /**
   * Creates a game; takes its published event off the main queue as a consumer would, reports it
   * `processing`, and moves it to the expiring queue, from which the broker dead-letters it.
   */
  async function deadLetteredGame(title: string) {
    const created = await editor()('/api/games', {
      method: 'POST',
      body: {
        title,
        platformId: 1,
        genreId: 1,
        developer: 'Test',
        releaseYear: 1990,
        description: 'A game whose event the broker dead-letters.',
      },
    });
    expect(created.status).to.equal(201);
    const gameId = created.body.id as number;
    const delivery = await waitFor('the event on the main queue', async () => {
      const msg = await channel.get(resources.queues.main, { noAck: false });
      return msg || undefined;
    });
    const messageId = String(delivery.properties.messageId);
    const report = await jsonApi(backend.url, { token: TOKEN })(
      `/api/internal/tasks/${messageId}/status`,
      {
        method: 'PUT',
        body: { status: 'processing', type: 'game', gameId, action: 'create', attempts: 1 },
      },
    );
    expect(report.status).to.equal(200);
    channel.sendToQueue(expiring, delivery.content, delivery.properties);
    await channel.waitForConfirms();
    channel.ack(delivery);
    await waitFor(`${messageId} in the archive`, async () => {
      const [rows] = await resources.sql.query<RowDataPacket[]>(
        'SELECT 1 FROM dead_letters WHERE message_id = ?',
        [messageId],
      );
      return rows.length > 0 || undefined;
    });
    return { gameId, messageId };
  }

  it('when housekeeping runs, then its task is failed with the broker’s reason, and so is its game', async () => {
    const { gameId, messageId } = await deadLetteredGame('Expired on the way');
    expect((await editor()(`/api/tasks/${messageId}`)).body.status).to.equal('processing');

    const result = await backend.housekeeping.runOnce();
    expect(result?.deadLettered).to.equal(1);
    const task = (await editor()(`/api/tasks/${messageId}`)).body;
    expect(task.status).to.equal('failed');
    expect(task.lastError).to.match(/^dead-lettered by the broker: .*expired/i);
    expect(task.lastError).to.include(expiring);
    const game = (await editor()(`/api/games/${gameId}`)).body;
    expect(game.processingStatus).to.equal('failed');
    // a second run finds nothing more to do
    expect((await backend.housekeeping.runOnce())?.deadLettered).to.equal(0);
  });

  it('when the dead letter was replayed, then its task is left to the replayed copy', async () => {
    const { messageId } = await deadLetteredGame('Replayed in time');
    await resources.sql.query('UPDATE dead_letters SET replayed_at = NOW(3) WHERE message_id = ?', [
      messageId,
    ]);
    expect((await backend.housekeeping.runOnce())?.deadLettered).to.equal(0);
    expect((await editor()(`/api/tasks/${messageId}`)).body.status).to.equal('processing');
  });
});
