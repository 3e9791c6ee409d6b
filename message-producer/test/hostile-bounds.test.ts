import { randomUUID } from 'node:crypto';
import { type RunningBackend, startBackend } from '@retro/backend';
import {
  DELIVERY_LIMITS,
  HEADER_LIMITS,
  MAX_RETRY_COUNT_HEADER,
  PUBLISH_REQUEST_MAX_BYTES,
  cutMarker,
} from '@retro/common';
import { TEST_RABBITMQ_URL, TEST_TOKEN, jsonApi, waitFor } from '@retro/common/testing';
import { type RunningConsumer, startConsumer } from '@retro/message-consumer';
import amqplib from 'amqplib';
import { expect } from 'chai';
import type { RowDataPacket } from 'mysql2/promise';
import { OMITTED_HEADERS } from '../src/domain/archive-bounds.js';
import {
  type ProducerTestEnv,
  type TaskLookupStub,
  startProducerTestEnv,
  startTaskLookupStub,
} from './helpers.js';

const RETRY_DELAY_MS = 50;
const { headerCount, nameLength, valueLength, bodyBytes } = DELIVERY_LIMITS;

/** `n` headers `x-h0` … named and valued within every bound. */
const headers = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`x-h${i}`, i]));
/** A header name of `n` characters. */
const nameOf = (n: number) => `x-${'n'.repeat(n - 2)}`;
/** A custom message body of exactly `n` bytes. */
function customBody(n: number): Buffer {
  const empty = JSON.stringify({ type: 'custom', message: 'hostile', pad: '' });
  return Buffer.from(
    JSON.stringify({ type: 'custom', message: 'hostile', pad: 'p'.repeat(n - empty.length) }),
  );
}

/**
 * Every header and body bound, at the bound and one past it, sent to each place a message enters:
 * the producer's publish routes, the consumer (straight to its queue, as anyone with access to the
 * broker can), the archiver (straight to the DLQ). Each answers 4xx or takes the message; none
 * answers 5xx, crashes or stalls, and a good message after the hostile ones goes through.
 */
describe('hostile input: every header and body bound ±1 at every entry point', function () {
  this.timeout(180_000);
  let h: ProducerTestEnv;
  let tasks: TaskLookupStub;
  let backend: RunningBackend;
  let consumer: RunningConsumer;
  let connection: amqplib.ChannelModel;
  let channel: amqplib.ConfirmChannel;

  before(async () => {
    tasks = await startTaskLookupStub();
    h = await startProducerTestEnv('hostile_bounds', { config: { BACKEND_URL: tasks.url } });
    backend = await startBackend({
      queues: h.queues,
      config: {
        DB_NAME: h.database.database,
        BACKEND_PORT: 0,
        INTERNAL_API_TOKEN: TEST_TOKEN,
        LOG_LEVEL: 'error',
      },
    });
    connection = await amqplib.connect(TEST_RABBITMQ_URL);
    channel = await connection.createConfirmChannel();
  });
  after(async () => {
    await consumer?.stop();
    await connection?.close().catch(() => undefined);
    await h?.probe.deleteQueues(h.queues, [RETRY_DELAY_MS]).catch(() => undefined);
    await backend?.stop();
    await h?.cleanup();
    await tasks?.close();
  });

  async function publishTo(queue: string, content: Buffer, props: amqplib.Options.Publish) {
    const messageId = props.messageId ?? `hostile-${randomUUID()}`;
    channel.sendToQueue(queue, content, {
      persistent: true,
      contentType: 'application/json',
      ...props,
      messageId,
    });
    await channel.waitForConfirms();
    return messageId;
  }

  const archivedRow = (messageId: string) =>
    waitFor(
      `${messageId} archived`,
      async () => {
        const [rows] = await h.db.query<RowDataPacket[]>(
          'SELECT reason, headers, body_bytes FROM dead_letters WHERE message_id = ?',
          [messageId],
        );
        const row = rows[0];
        if (!row) return undefined;
        const stored = typeof row.headers === 'string' ? JSON.parse(row.headers) : row.headers;
        return { reason: row.reason as string, headers: stored, bodyBytes: Number(row.body_bytes) };
      },
      { timeoutMs: 20_000 },
    );

  describe('the producer', () => {
    /** A request of each publish route carrying `extra` headers. */
    const routes = (hs: Record<string, unknown>): [string, string, unknown][] => [
      ['custom', '/api/messages/custom', { message: 'm', headers: hs }],
      ['raw', '/api/messages/raw', { body: { any: 'thing' }, headers: hs }],
      ['game-event', '/api/messages/game-event', { gameId: 1, action: 'update', headers: hs }],
      [
        'bulk',
        '/api/messages/bulk',
        { kind: 'custom', count: 1, payload: { message: 'm', headers: hs } },
      ],
    ];
    const { count, nameLength: producerName, textLength } = HEADER_LIMITS;
    const cases: [string, Record<string, unknown>, Record<string, unknown>, RegExp][] = [
      ['header count', headers(count), headers(count + 1), new RegExp(`at most ${count} headers`)],
      [
        'header name length',
        { [nameOf(producerName)]: 1 },
        { [nameOf(producerName + 1)]: 1 },
        new RegExp(`1 to ${producerName} letters`),
      ],
      [
        'header text length',
        { 'x-note': 'v'.repeat(textLength) },
        { 'x-note': 'v'.repeat(textLength + 1) },
        new RegExp(`at most ${textLength} characters`),
      ],
      [
        'x-retry-count',
        { 'x-retry-count': MAX_RETRY_COUNT_HEADER },
        { 'x-retry-count': MAX_RETRY_COUNT_HEADER + 1 },
        new RegExp(`from 0 to ${MAX_RETRY_COUNT_HEADER}`),
      ],
    ];

    for (const [bound, at, past, rule] of cases) {
      it(`when each publish route gets the ${bound} at its bound, it publishes; one past it, it answers 400 naming the bound`, async () => {
        for (const [route, path, body] of routes(at)) {
          const res = await h.post(path, body);
          expect(res.status, `${route} at the bound`).to.equal(route === 'bulk' ? 202 : 201);
        }
        for (const [route, path, body] of routes(past)) {
          const res = await h.post(path, body);
          expect(res.status, `${route} past the bound`).to.equal(400);
          const messages = res.body.error.details.map((d: { message: string }) => d.message);
          expect(messages.join('; '), route).to.match(rule);
        }
      });
    }

    it(`when a request body is ${PUBLISH_REQUEST_MAX_BYTES} bytes it publishes; one byte more, it answers 413 naming the bound`, async () => {
      const sized = (n: number) => {
        const empty = JSON.stringify({ body: { pad: '' } });
        return JSON.stringify({ body: { pad: 'p'.repeat(n - empty.length) } });
      };
      const atBound = await h.request(
        'POST',
        '/api/messages/raw',
        sized(PUBLISH_REQUEST_MAX_BYTES),
        {
          'content-type': 'application/json',
        },
      );
      expect(atBound.status).to.equal(201);
      const past = await h.request(
        'POST',
        '/api/messages/raw',
        sized(PUBLISH_REQUEST_MAX_BYTES + 1),
        {
          'content-type': 'application/json',
        },
      );
      expect(past.status).to.equal(413);
      expect(past.body.error).to.include({
        code: 'PAYLOAD_TOO_LARGE',
        message: `Request body is too large (at most ${PUBLISH_REQUEST_MAX_BYTES} bytes)`,
      });
    });
  });

  describe('the consumer, reading deliveries straight from its queue', () => {
    before(async () => {
      // what the producer's tests above published is not the consumer's business
      await h.probe.drain(h.queues.main);
      consumer = await startConsumer({
        queues: h.queues,
        config: {
          BACKEND_URL: backend.url,
          INTERNAL_API_TOKEN: TEST_TOKEN,
          CONSUMER_PORT: 0,
          PROCESSING_DELAY_MS: 0,
          RETRY_DELAY_MS,
          MAX_RETRIES: 3,
          LOG_LEVEL: 'error',
        },
      });
      await waitFor('the consumer to subscribe', () => consumer.isConsuming());
    });

    const viewer = () => jsonApi(backend.url);
    const taskOf = (messageId: string, status: string) =>
      waitFor(
        `${messageId} ${status}`,
        async () => {
          const { status: code, body } = await viewer()(`/api/tasks/${messageId}`);
          return code === 200 && body.status === status ? body : undefined;
        },
        { timeoutMs: 20_000 },
      );

    const small = customBody(200);
    const cases: [
      string,
      Buffer,
      Record<string, unknown>,
      Buffer,
      Record<string, unknown>,
      RegExp,
    ][] = [
      [
        'header count',
        small,
        headers(headerCount),
        small,
        headers(headerCount + 1),
        new RegExp(`${headerCount + 1} headers are over the bound of ${headerCount}`),
      ],
      [
        'header name length',
        small,
        { [nameOf(nameLength)]: 1 },
        small,
        { [nameOf(nameLength + 1)]: 1 },
        new RegExp(`name of ${nameLength + 1} characters is over the bound of ${nameLength}`),
      ],
      [
        'header value length',
        small,
        { 'x-v': 'v'.repeat(valueLength) },
        small,
        { 'x-v': 'v'.repeat(valueLength + 1) },
        new RegExp(`x-v of ${valueLength + 1} characters is over the bound of ${valueLength}`),
      ],
      [
        'table header length',
        small,
        { 'x-t': { a: 'v'.repeat(valueLength - 8) } },
        small,
        { 'x-t': { a: 'v'.repeat(valueLength - 7) } },
        new RegExp(`x-t of ${valueLength + 1} characters`),
      ],
      [
        'body size',
        customBody(bodyBytes),
        {},
        customBody(bodyBytes + 1),
        {},
        new RegExp(`body of ${bodyBytes + 1} bytes is over the bound of ${bodyBytes}`),
      ],
    ];

    for (const [bound, atBody, at, pastBody, past, reason] of cases) {
      it(`when a delivery has the ${bound} at its bound it completes; one past it, it is parked unprocessed with the bound as its reason`, async () => {
        const accepted = await publishTo(h.queues.main, atBody, { headers: at });
        const refused = await publishTo(h.queues.main, pastBody, { headers: past });

        await taskOf(accepted, 'completed');
        const failed = await taskOf(refused, 'failed');
        expect(failed.lastError)
          .to.match(/^delivery beyond the limits: /)
          .and.match(reason);
        const row = await archivedRow(refused);
        expect(row.reason).to.equal(failed.lastError);
        // the parked copy is within the bounds itself: what broke them stays out of it
        expect(Object.keys(row.headers).length).to.be.at.most(headerCount);
        expect(consumer.isConsuming()).to.equal(true);
      });
    }

    it(`when a delivery has x-retry-count ${MAX_RETRY_COUNT_HEADER} it is processed; one more, it is parked with its retries spent`, async () => {
      const accepted = await publishTo(h.queues.main, small, {
        headers: { 'x-retry-count': MAX_RETRY_COUNT_HEADER },
      });
      const refused = await publishTo(h.queues.main, small, {
        headers: { 'x-retry-count': MAX_RETRY_COUNT_HEADER + 1 },
      });

      expect((await taskOf(accepted, 'completed')).attempts).to.equal(MAX_RETRY_COUNT_HEADER + 1);
      const failed = await taskOf(refused, 'failed');
      expect(failed.lastError).to.equal(
        `x-retry-count ${MAX_RETRY_COUNT_HEADER + 1} is above ${MAX_RETRY_COUNT_HEADER}: retries treated as exhausted`,
      );
      expect((await archivedRow(refused)).reason).to.equal(failed.lastError);
    });

    it('when the hostile deliveries are through, a good message still completes at once', async () => {
      const good = await publishTo(h.queues.main, customBody(100), {});
      await taskOf(good, 'completed');
    });
  });

  describe('the archiver, reading parked messages straight from the DLQ', () => {
    const failure = { 'x-error': 'hostile', 'x-failed-at': '2024-05-01T10:00:00.000Z' };
    const park = (content: Buffer, hs: Record<string, unknown>) =>
      publishTo(h.queues.dlq, content, { headers: { ...failure, ...hs } });

    it('when parked messages have every header and body bound at and one past it, all are archived, the over-long values cut with a marker saying so', async () => {
      const small = Buffer.from('{"type":"custom","message":"parked"}');
      const atCount = await park(small, headers(headerCount - 2));
      const pastCount = await park(small, headers(headerCount - 1));
      const atName = await park(small, { [nameOf(nameLength)]: 1 });
      const pastName = await park(small, { [nameOf(nameLength + 1)]: 1 });
      const atValue = await park(small, { 'x-v': 'v'.repeat(valueLength) });
      const pastValue = await park(small, { 'x-v': 'v'.repeat(valueLength + 1) });
      const pastTable = await park(small, { 'x-t': { a: 'v'.repeat(valueLength) } });
      const pastReason = await park(small, { 'x-error': 'e'.repeat(valueLength + 1) });
      const pastCountHeader = await park(small, { 'x-retry-count': MAX_RETRY_COUNT_HEADER + 1 });
      const atBody = await park(customBody(bodyBytes), {});
      const pastBody = await park(customBody(bodyBytes + 1), {});

      expect(Object.keys((await archivedRow(atCount)).headers)).to.have.length(headerCount);
      const count = (await archivedRow(pastCount)).headers;
      expect(Object.keys(count)).to.have.length(headerCount + 1);
      expect(count[OMITTED_HEADERS]).to.equal(
        `1 more header not archived (at most ${headerCount})`,
      );
      expect((await archivedRow(atName)).headers).to.have.property(nameOf(nameLength));
      const name = `${nameOf(nameLength + 1).slice(0, nameLength)}${cutMarker(nameLength + 1, nameLength)}`;
      expect((await archivedRow(pastName)).headers).to.have.property(name);
      expect((await archivedRow(atValue)).headers['x-v']).to.equal('v'.repeat(valueLength));
      expect((await archivedRow(pastValue)).headers['x-v']).to.equal(
        `${'v'.repeat(valueLength)}${cutMarker(valueLength + 1, valueLength)}`,
      );
      expect((await archivedRow(pastTable)).headers['x-t']).to.match(
        new RegExp(`${cutMarker(valueLength + 8, valueLength).replace(/[[\]]/g, '\\$&')}$`),
      );
      expect((await archivedRow(pastReason)).reason).to.equal(
        `${'e'.repeat(valueLength)}${cutMarker(valueLength + 1, valueLength)}`,
      );
      const [[bounded]] = await h.db.query<RowDataPacket[]>(
        'SELECT retry_count FROM dead_letters WHERE message_id = ?',
        [pastCountHeader],
      );
      expect(bounded!.retry_count).to.equal(MAX_RETRY_COUNT_HEADER);
      expect((await archivedRow(atBody)).bodyBytes).to.equal(bodyBytes);
      expect((await archivedRow(pastBody)).bodyBytes).to.equal(bodyBytes + 1);
    });

    it('when the hostile parked messages are through, a good one parked after them is archived within seconds', async () => {
      const started = Date.now();
      const good = await park(Buffer.from('{"type":"custom","message":"good"}'), {});
      await archivedRow(good);
      expect(Date.now() - started).to.be.below(5_000);
      expect(await h.probe.messageCount(h.queues.dlq)).to.equal(0);
    });
  });
});
