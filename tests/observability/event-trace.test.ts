import { startBackend, type RunningBackend } from '@retro/backend';
import { assertTopology } from '@retro/common';
import {
  BrokerProbe,
  TEST_METRICS_TOKEN,
  TEST_RABBITMQ_URL,
  createTestAccounts,
  testQueues,
  waitFor,
  type TestAccounts,
} from '@retro/common/testing';
import { createPool } from '@retro/database';
import { createTestDatabase } from '@retro/database/testing';
import { startConsumer, type RunningConsumer } from '@retro/message-consumer';
import amqplib from 'amqplib';
import { expect } from 'chai';

const TOKEN = 'observability-token-0123456789';

/**
 * Every service logs JSON lines through winston's Console transport, which writes to stdout.
 * This keeps each log line written while the test runs (anything else, such as mocha's
 * report, is printed as usual).
 */
class StdoutCapture {
  readonly lines: Array<Record<string, unknown>> = [];
  private readonly original = process.stdout.write.bind(process.stdout);

  start(): void {
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = String(chunk);
      if (text.startsWith('{"')) {
        for (const line of text.split('\n').filter(Boolean)) {
          this.lines.push(JSON.parse(line) as Record<string, unknown>);
        }
        return true; // kept, not printed between mocha's lines
      }
      return (this.original as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
  }

  stop(): void {
    process.stdout.write = this.original;
  }

  /** Lines that mention `eventId`, as an `eventId` field or in an `eventIds` list. */
  about(eventId: string) {
    return this.lines.filter(
      (l) => l.eventId === eventId || (Array.isArray(l.eventIds) && l.eventIds.includes(eventId)),
    );
  }
}

describe('following one change through the logs', function () {
  this.timeout(60_000);
  const queues = testQueues('trace');
  const capture = new StdoutCapture();
  let drop: () => Promise<void>;
  let backend: RunningBackend;
  let consumer: RunningConsumer;
  let accounts: TestAccounts;

  before(async () => {
    const database = await createTestDatabase('trace');
    drop = database.drop;
    const pool = createPool(database.settings, 1);
    accounts = await createTestAccounts(pool);
    await pool.end();
    const connection = await amqplib.connect(TEST_RABBITMQ_URL);
    await assertTopology(await connection.createChannel(), queues);
    await connection.close();
    capture.start();
    backend = await startBackend({
      queues,
      relayPollIntervalMs: 100,
      config: {
        DB_NAME: database.settings.database,
        BACKEND_PORT: 0,
        INTERNAL_API_TOKEN: TOKEN,
        METRICS_TOKEN: TEST_METRICS_TOKEN,
        LOG_LEVEL: 'info',
      },
    });
    consumer = await startConsumer({
      queues,
      config: {
        BACKEND_URL: backend.url,
        INTERNAL_API_TOKEN: TOKEN,
        CONSUMER_PORT: 0,
        PROCESSING_DELAY_MS: 0,
        LOG_LEVEL: 'info',
      },
    });
  });

  after(async () => {
    capture.stop();
    await consumer?.stop();
    await backend?.stop();
    const probe = await BrokerProbe.open();
    await probe.deleteQueues(queues).catch(() => undefined);
    await probe.close();
    await drop?.();
  });

  it('when a game is created, then its event id appears in the API, relay and consumer logs', async () => {
    const res = await fetch(`${backend.url}/api/games`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${accounts.editor.token}`,
      },
      body: JSON.stringify({
        title: 'Gradius',
        platformId: 1,
        genreId: 8,
        developer: 'Konami',
        releaseYear: 1986,
        description: 'A side-scrolling shooter.',
      }),
    });
    expect(res.status).to.equal(201);
    const game = (await res.json()) as { id: number };
    const tasks = (await (await fetch(`${backend.url}/api/tasks?gameId=${game.id}`)).json()) as [
      { messageId: string },
    ];
    const eventId = tasks[0].messageId;

    await waitFor('the consumer to log the completed message', () =>
      capture
        .about(eventId)
        .some((l) => l.service === 'message-consumer' && l.message === 'message completed'),
    );
    const lines = capture.about(eventId);
    const api = lines.find((l) => l.service === 'backend' && l.message === 'game created');
    const relay = lines.find((l) => l.component === 'outbox-relay');
    const consumed = lines.filter((l) => l.service === 'message-consumer');
    expect(api, 'the API line').to.include({ gameId: game.id });
    expect(relay, 'the relay line').to.include({ message: 'outbox events published' });
    expect(consumed.map((l) => l.message)).to.include('message completed');
  });

  it('when /metrics is scraped, then the backend and the consumer expose the flow counters', async () => {
    expect((await fetch(`${backend.url}/metrics`)).status, 'without the token').to.equal(401);
    // as Prometheus scrapes it: with METRICS_TOKEN as its bearer token
    const backendMetrics = await (
      await fetch(`${backend.url}/metrics`, {
        headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
      })
    ).text();
    for (const name of [
      'http_request_duration_seconds_bucket',
      'outbox_events_written_total',
      'outbox_events_published_total',
      'outbox_events_publish_failures_total',
      'outbox_backlog',
      'outbox_oldest_age_seconds',
      'task_status_writes_total',
    ]) {
      expect(backendMetrics, name).to.include(name);
    }
    const consumerMetrics = await (await fetch(`http://127.0.0.1:${consumer.port}/metrics`)).text();
    for (const name of [
      'consumer_messages_consumed_total',
      'consumer_messages_acked_total',
      'consumer_messages_retried_total',
      'consumer_messages_parked_total',
      'consumer_processing_duration_seconds_bucket',
    ]) {
      expect(consumerMetrics, name).to.include(name);
    }
  });
});
