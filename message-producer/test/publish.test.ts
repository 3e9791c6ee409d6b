import { expect } from 'chai';
import { retryTierQueue, retryTiers } from '@retro/common';
import { DEFAULT_RETRY_DELAY_MS } from '@retro/common/testing';
import {
  type ProducerTestEnv,
  type TaskLookupStub,
  startProducerTestEnv,
  startTaskLookupStub,
} from './helpers.js';

describe('message producer: publishing', () => {
  let h: ProducerTestEnv;
  let tasks: TaskLookupStub; // a backend without tasks: every chosen id is free

  before(async () => {
    tasks = await startTaskLookupStub();
    // publishing and the queue stats are a tester's
    h = await startProducerTestEnv(
      'producer_publish',
      { config: { MAX_RETRIES: 4, BACKEND_URL: tasks.url } },
      { role: 'tester' },
    );
  });
  after(async () => {
    await h.cleanup();
    await tasks.close();
  });
  afterEach(async () => h.probe.drain(h.queues.main));

  it('when a game event is published, then it answers 201 after the confirm and the event lands with its id and properties', async () => {
    const res = await h.post('/api/messages/game-event', {
      gameId: 7,
      action: 'update',
      gameData: { title: 'Metroid' },
    });

    expect(res.status).to.equal(201);
    expect(res.body.messageId).to.be.a('string').and.equal(res.body.eventId);
    expect(res.body.queue).to.equal(h.queues.main);
    const [msg, ...rest] = await h.probe.drain(h.queues.main);
    expect(rest).to.have.length(0);
    expect(msg!.properties.messageId).to.equal(res.body.messageId);
    expect(msg!.properties.deliveryMode).to.equal(2);
    expect(msg!.properties.contentType).to.equal('application/json');
    const body = JSON.parse(msg!.content.toString());
    expect(body).to.include({ eventId: res.body.eventId, gameId: 7, action: 'update' });
    expect(body.gameData).to.deep.equal({ title: 'Metroid' });
    expect(Date.parse(body.timestamp)).to.be.closeTo(Date.now(), 60_000);
  });

  it('when a game event has no gameData, then it is published with an empty object, as the original producer did', async () => {
    const res = await h.post('/api/messages/game-event', { gameId: '3', action: 'process' });

    expect(res.status).to.equal(201);
    const [msg] = await h.probe.drain(h.queues.main);
    expect(JSON.parse(msg!.content.toString())).to.include({ gameId: 3, action: 'process' });
    expect(JSON.parse(msg!.content.toString()).gameData).to.deep.equal({});
  });

  it('when a custom message is published, then its body is {type: "custom", message, timestamp} plus the extra fields and its headers go on the message', async () => {
    const res = await h.post('/api/messages/custom', {
      message: 'flaky',
      simulate: 'transient',
      failAttempts: 2,
      type: 'forged',
      headers: { 'x-retry-count': 1 },
    });

    expect(res.status).to.equal(201);
    expect(res.body).to.not.have.property('eventId');
    const [msg] = await h.probe.drain(h.queues.main);
    expect(msg!.properties.messageId).to.equal(res.body.messageId);
    expect(msg!.properties.headers).to.deep.include({ 'x-retry-count': 1 });
    const body = JSON.parse(msg!.content.toString());
    expect(body).to.include({
      type: 'custom',
      message: 'flaky',
      simulate: 'transient',
      failAttempts: 2,
    });
    expect(body).to.have.property('timestamp');
    expect(body).to.not.have.property('headers');
  });

  it('when a raw string body is published, then exactly that text lands (a poison sample)', async () => {
    const res = await h.post('/api/messages/raw', { body: '{"gameId": 1, "action": ' });

    expect(res.status).to.equal(201);
    const [msg] = await h.probe.drain(h.queues.main);
    expect(msg!.content.toString()).to.equal('{"gameId": 1, "action": ');
    expect(msg!.properties.messageId).to.equal(res.body.messageId);
  });

  it('when a raw game event carries its own eventId, then that id becomes the message id', async () => {
    const res = await h.post('/api/messages/raw', {
      body: { eventId: 'evt-raw-1', gameId: 1, action: 'create' },
      headers: { 'x-retry-count': 2, 'x-note': 'by hand' },
    });

    expect(res.status).to.equal(201);
    expect(res.body).to.include({ messageId: 'evt-raw-1', eventId: 'evt-raw-1' });
    const [msg] = await h.probe.drain(h.queues.main);
    expect(msg!.properties.messageId).to.equal('evt-raw-1');
    expect(msg!.properties.headers).to.deep.include({ 'x-retry-count': 2, 'x-note': 'by hand' });
  });

  const badRequests: [string, string, unknown, string][] = [
    ['game event without gameId', '/api/messages/game-event', { action: 'create' }, 'gameId'],
    [
      'game event with an unknown action',
      '/api/messages/game-event',
      { gameId: 1, action: 'explode' },
      'action',
    ],
    [
      'game event with a negative gameId',
      '/api/messages/game-event',
      { gameId: -4, action: 'create' },
      'gameId',
    ],
    [
      'game event with gameData that is not an object',
      '/api/messages/game-event',
      { gameId: 1, action: 'create', gameData: 'x' },
      'gameData',
    ],
    [
      'custom message without message',
      '/api/messages/custom',
      { simulate: 'transient' },
      'message',
    ],
    [
      'custom message with an unknown simulate outcome',
      '/api/messages/custom',
      { message: 'm', simulate: 'maybe' },
      'simulate',
    ],
    [
      'negative x-retry-count',
      '/api/messages/custom',
      { message: 'm', headers: { 'x-retry-count': -1 } },
      'headers.x-retry-count',
    ],
    [
      'forged x-error header',
      '/api/messages/raw',
      { body: {}, headers: { 'x-error': 'fake' } },
      'headers.x-error',
    ],
    [
      'forged X-Deferrals header, in any case',
      '/api/messages/custom',
      { message: 'm', headers: { 'X-Deferrals': 2 } },
      'headers.X-Deferrals',
    ],
    ['raw without body', '/api/messages/raw', { headers: {} }, 'body'],
    [
      'bulk over 10,000',
      '/api/messages/bulk',
      { kind: 'custom', count: 10_001, payload: { message: 'm' } },
      'count',
    ],
    [
      'bulk with an invalid payload',
      '/api/messages/bulk',
      { kind: 'game-event', count: 2, payload: { gameId: 1 } },
      'payload.action',
    ],
  ];
  for (const [what, path, body, field] of badRequests) {
    it(`when a ${what} is sent, then it answers 400 naming ${field} and publishes nothing`, async () => {
      const res = await h.post(path, body);

      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('VALIDATION_FAILED');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).to.include(field);
      expect(await h.probe.messageCount(h.queues.main)).to.equal(0);
    });
  }

  it('when the body is not JSON, then it answers 400 MALFORMED_JSON and publishes nothing', async () => {
    const res = await h.post('/api/messages/custom', '{"message": ');

    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal('MALFORMED_JSON');
    expect(await h.probe.messageCount(h.queues.main)).to.equal(0);
  });

  it('when the body is larger than the limit, then it answers 413 and publishes nothing', async () => {
    const res = await h.post('/api/messages/custom', { message: 'x'.repeat(300 * 1024) });

    expect(res.status).to.equal(413);
    expect(await h.probe.messageCount(h.queues.main)).to.equal(0);
  });

  it('when the templates are listed, then every kind of sample is there and each one is accepted by its endpoint', async () => {
    const { body } = await h.get('/api/templates');
    const ids = body.templates.map((t: { id: string }) => t.id);

    expect(ids).to.include.members([
      'game-create',
      'game-update',
      'game-delete',
      'game-process',
      'custom',
      'simulate-transient',
      'simulate-permanent',
      'poison-invalid-json',
      'poison-missing-game-id',
      'poison-unknown-action',
    ]);
    const exhausted = body.templates.find((t: { id: string }) => t.id === 'retries-exhausted');
    expect(exhausted.payload.headers['x-retry-count']).to.equal(4); // MAX_RETRIES of this run
    for (const t of body.templates) {
      const res = await h.post(`/api/messages/${t.kind}`, t.payload);
      expect(res.status, t.id).to.equal(201);
    }
    expect(await h.probe.messageCount(h.queues.main)).to.equal(body.templates.length);
  });

  it('when the queues are read, then depth and consumers of main, every retry tier and DLQ are reported (the archiver consumes the DLQ)', async () => {
    await h.post('/api/messages/custom', { message: 'count me' });

    const { status, body } = await h.get('/api/queues');

    expect(status).to.equal(200);
    const byRole = Object.fromEntries(body.queues.map((q: { role: string }) => [q.role, q]));
    expect(byRole.main).to.deep.equal({
      role: 'main',
      name: h.queues.main,
      messageCount: 1,
      consumerCount: 0,
    });
    expect(byRole.dlq).to.include({ name: h.queues.dlq, messageCount: 0, consumerCount: 1 });
    // the retry tiers of the default RETRY_DELAY_MS, after the old single retry queue
    const retries = body.queues.filter((q: { role: string }) => q.role === 'retry');
    expect(retries.map((q: { name: string }) => q.name)).to.deep.equal([
      h.queues.retry,
      ...retryTiers(DEFAULT_RETRY_DELAY_MS).map((tier) => retryTierQueue(h.queues.main, tier)),
    ]);
    expect(retries.every((q: { messageCount: number }) => q.messageCount === 0)).to.equal(true);
    expect(body.queues.map((q: { role: string }) => q.role).at(-1)).to.equal('dlq');
  });

  it('when publishes were confirmed, then /metrics counts them and their HTTP latency', async () => {
    await h.post('/api/messages/custom', { message: 'metric' });
    const res = await h.as('operator')('/metrics');
    const text = String(res.body);

    expect(res.status).to.equal(200);
    expect(text).to.match(/producer_messages_confirmed_total\{kind="custom"\} [1-9]/);
    expect(text).to.match(
      /http_request_duration_seconds_count\{method="POST",route="\/api\/messages\/custom",status="201"\} [1-9]/,
    );
    expect(text).to.include('process_resident_memory_bytes');
  });

  it('when health is read, then it names the broker state and the answer carries a CSP that allows only own scripts', async () => {
    const res = await fetch(`${h.producer.url}/health`);
    expect(res.status).to.equal(200);
    expect(await res.json()).to.include({ status: 'ok', broker: 'connected' });
    expect(res.headers.get('content-security-policy')).to.contain("script-src 'self'");
  });
});
