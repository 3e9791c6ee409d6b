import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type TaskStatusUpdate } from '@retro/common';
import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import { type BackendClient, createBackendClient } from '../src/data-access/backend-client.js';
import { DownstreamError, PermanentError } from '../src/domain/failures.js';

const TOKEN = 'client-test-token-0123456789';
const logger = createLogger('backend-client-test', 'error');
const processing: TaskStatusUpdate = { status: 'processing', type: 'custom', attempts: 1 };

type Write = TaskStatusUpdate & { messageId: string };
interface Received {
  url: string;
  authorization: string | undefined;
  writes: Write[];
}
type Answer = { status: number; body: unknown } | Promise<{ status: number; body: unknown }>;

/** A stand-in for the backend's batch endpoint: records each request, answers as told. */
class StubBackend {
  readonly received: Received[] = [];
  /** Default: applies every write. */
  answer: (request: Received) => Answer = (request) => ({
    status: 200,
    body: { results: request.writes.map(applied) },
  });
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer(async (req, res) => {
      const request = await read(req);
      this.received.push(request);
      const { status, body } = await this.answer(request);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

async function read(req: IncomingMessage): Promise<Received> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString();
  const body = (text ? JSON.parse(text) : {}) as { updates?: Write[] };
  return { url: req.url!, authorization: req.headers.authorization, writes: body.updates ?? [] };
}

const applied = (write: Write) => ({
  messageId: write.messageId,
  applied: true,
  task: { messageId: write.messageId, status: write.status, attempts: write.attempts },
});

const refusal = (status: number) => ({
  status,
  body: { error: { code: 'X', message: `refused with ${status}`, details: [] } },
});

/** Settles every promise and says, for each, its result or the class (and kind) of its error. */
async function outcomes(promises: Promise<unknown>[]) {
  return (await Promise.allSettled(promises)).map((p) => {
    if (p.status === 'fulfilled') return 'ok';
    const error = p.reason as Error;
    return error instanceof DownstreamError ? `downstream:${error.kind}` : error.constructor.name;
  });
}

describe('backend client: coalesced status writes', () => {
  let stub: StubBackend;
  let url: string;
  let client: BackendClient | undefined;

  const start = (options: { batchWindowMs?: number; maxBatch?: number; retries?: number } = {}) =>
    (client = createBackendClient({ baseUrl: url, token: TOKEN, logger, ...options }));

  beforeEach(async () => {
    stub = new StubBackend();
    url = await stub.start();
  });
  afterEach(async () => {
    client?.close();
    client = undefined;
    await stub.stop();
  });

  it('sends writes made together as one batch request and gives each caller its own result', async () => {
    const backend = start();
    const replies = await Promise.all(
      ['m-1', 'm-2', 'm-3'].map((id, i) =>
        backend.reportStatus(id, { ...processing, attempts: i + 1 }),
      ),
    );
    expect(stub.received).to.have.length(1);
    const [request] = stub.received;
    expect(request!.url).to.equal('/api/internal/tasks/status');
    expect(request!.authorization).to.equal(`Bearer ${TOKEN}`);
    expect(request!.writes.map((w) => [w.messageId, w.attempts])).to.deep.equal([
      ['m-1', 1],
      ['m-2', 2],
      ['m-3', 3],
    ]);
    expect(replies.map((r) => [r.applied, r.task.messageId, r.task.attempts])).to.deep.equal([
      [true, 'm-1', 1],
      [true, 'm-2', 2],
      [true, 'm-3', 3],
    ]);
  });

  it('sends a lone write at once rather than waiting for the window', async () => {
    const backend = start({ batchWindowMs: 600_000 });
    const reply = await backend.reportStatus('alone', processing);
    expect(reply.applied).to.equal(true);
  });

  it('gathers the writes made while a request is in flight and sends them together when it answers', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    stub.answer = async (request) => {
      if (stub.received.length === 1) await held;
      return { status: 200, body: { results: request.writes.map(applied) } };
    };
    const backend = start({ batchWindowMs: 600_000 });
    const first = backend.reportStatus('first', processing);
    await waitFor('the first request to arrive', () => stub.received.length === 1);
    const later = ['later-1', 'later-2', 'later-3'].map((id) =>
      backend.reportStatus(id, processing),
    );
    release();
    await Promise.all([first, ...later]);
    expect(stub.received.map((r) => r.writes.map((w) => w.messageId))).to.deep.equal([
      ['first'],
      ['later-1', 'later-2', 'later-3'],
    ]);
  });

  it('never puts more than maxBatch writes in one request', async () => {
    const backend = start({ maxBatch: 3 });
    await Promise.all(
      Array.from({ length: 7 }, (_, i) => backend.reportStatus(`many-${i}`, processing)),
    );
    const sizes = stub.received.map((r) => r.writes.length);
    expect(Math.max(...sizes)).to.be.at.most(3);
    expect(sizes.reduce((a, b) => a + b)).to.equal(7);
  });

  it("fails every caller of a batch answered 503 as the backend's failure, after the quick retries", async () => {
    stub.answer = () => refusal(503);
    const backend = start({ retries: 1 });
    const results = await outcomes(
      ['t-1', 't-2'].map((id) => backend.reportStatus(id, processing)),
    );
    expect(results).to.deep.equal(['downstream:server_error', 'downstream:server_error']);
    // the first attempt and the one retry, each time both writes together
    expect(stub.received.map((r) => r.writes.length)).to.deep.equal([2, 2]);
  });

  it('hides a brief 5xx behind the quick retry and gives every caller its result', async () => {
    stub.answer = (request) =>
      stub.received.length === 1
        ? refusal(502)
        : { status: 200, body: { results: request.writes.map(applied) } };
    const backend = start({ retries: 2 });
    const results = await outcomes(
      ['b-1', 'b-2'].map((id) => backend.reportStatus(id, processing)),
    );
    expect(results).to.deep.equal(['ok', 'ok']);
  });

  it('fails every caller of a batch refused with a 4xx as permanent, without retrying', async () => {
    stub.answer = () => refusal(422);
    const backend = start({ retries: 2 });
    const settled = await Promise.allSettled(
      ['p-1', 'p-2'].map((id) => backend.reportStatus(id, processing)),
    );
    for (const result of settled) {
      expect(result.status).to.equal('rejected');
      const error = (result as PromiseRejectedResult).reason as Error;
      expect(error).to.be.instanceOf(PermanentError);
      expect(error.message).to.equal('backend answered 422 to processing: refused with 422');
    }
    expect(stub.received).to.have.length(1);
  });

  it("fails every caller as the backend's failure when it is unreachable", async () => {
    await stub.stop();
    const backend = start({ retries: 0 });
    const results = await outcomes(
      ['u-1', 'u-2'].map((id) => backend.reportStatus(id, processing)),
    );
    expect(results).to.deep.equal(['downstream:unreachable', 'downstream:unreachable']);
  });

  it("fails every caller as the backend's failure when the answer does not hold one result per write", async () => {
    stub.answer = () => ({ status: 200, body: { results: [] } });
    const backend = start({ retries: 0 });
    const results = await outcomes(
      ['r-1', 'r-2'].map((id) => backend.reportStatus(id, processing)),
    );
    expect(results).to.deep.equal(['downstream:server_error', 'downstream:server_error']);
  });

  it("treats 429 as the backend's failure and 401/403 as its configuration's, naming INTERNAL_API_TOKEN, without quick retries", async () => {
    const statuses = [429, 401, 403];
    stub.answer = () => refusal(statuses[0]!);
    const backend = start({ retries: 0 });
    expect(await outcomes([backend.reportStatus('l-1', processing)])).to.deep.equal([
      'downstream:rate_limited',
    ]);
    for (const status of [401, 403]) {
      stub.answer = () => refusal(status);
      stub.received.length = 0;
      const error = await start({ retries: 3 })
        .reportStatus('a-1', processing)
        .catch((e: unknown) => e as DownstreamError);
      expect(error).to.be.instanceOf(DownstreamError);
      expect((error as DownstreamError).kind).to.equal('unauthorized');
      expect((error as Error).message).to.contain('INTERNAL_API_TOKEN');
      expect(stub.received, 'a wrong token is not retried in place').to.have.length(1);
    }
  });

  it('fails only the write the backend refused in a batch, as permanent, and gives the others their result', async () => {
    stub.answer = (request) => ({
      status: 200,
      body: {
        results: request.writes.map((w) =>
          w.messageId === 'forged'
            ? {
                ...applied(w),
                applied: false,
                error: { code: 'TASK_MISMATCH', message: 'is a game task' },
              }
            : applied(w),
        ),
      },
    });
    const backend = start();
    const settled = await Promise.allSettled(
      ['ok-1', 'forged', 'ok-2'].map((id) => backend.reportStatus(id, processing)),
    );
    expect(settled.map((s) => s.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
    const error = (settled[1] as PromiseRejectedResult).reason as Error;
    expect(error).to.be.instanceOf(PermanentError);
    expect(error.message).to.equal('backend refused the processing report: is a game task');
  });

  describe('probe (while the circuit is open)', () => {
    const probeAnswers = (ready: number, emptyBatch: number) => (request: Received) =>
      request.url === '/ready'
        ? { status: ready, body: { status: ready === 200 ? 'ready' : 'unavailable' } }
        : refusal(emptyBatch);

    it('passes when /ready answers 200 and the token is accepted (an empty batch is refused as invalid)', async () => {
      stub.answer = probeAnswers(200, 400);
      await start().probe();
      expect(stub.received.map((r) => [r.url, r.authorization])).to.deep.equal([
        ['/ready', undefined],
        ['/api/internal/tasks/status', `Bearer ${TOKEN}`],
      ]);
    });

    it('fails while /ready answers 503, and while the token is refused', async () => {
      stub.answer = probeAnswers(503, 400);
      const notReady = (await start()
        .probe()
        .catch((e: unknown) => e)) as DownstreamError;
      expect(notReady.kind).to.equal('server_error');
      stub.answer = probeAnswers(200, 401);
      const refused = (await start()
        .probe()
        .catch((e: unknown) => e)) as DownstreamError;
      expect(refused.kind).to.equal('unauthorized');
    });
  });

  it('refuses an invalid write alone, without failing the writes sent alongside', async () => {
    const backend = start();
    const results = await outcomes([
      backend.reportStatus('good-1', processing),
      backend.reportStatus('bad id!', processing),
      backend.reportStatus('good-2', processing),
    ]);
    expect(results).to.deep.equal(['ok', PermanentError.name, 'ok']);
    expect(stub.received.flatMap((r) => r.writes.map((w) => w.messageId))).to.deep.equal([
      'good-1',
      'good-2',
    ]);
  });

  it('falls back to one write per request when the backend has no batch route yet (mid-upgrade)', async () => {
    stub.answer = (request) => {
      if (request.url === '/api/internal/tasks/status') return refusal(404);
      const messageId = decodeURIComponent(request.url.split('/')[4]!);
      return { status: 200, body: { applied: true, task: { messageId, status: 'processing' } } };
    };
    const backend = start();
    const replies = await Promise.all(
      ['old-1', 'old-2'].map((id) => backend.reportStatus(id, processing)),
    );
    expect(replies.map((r) => r.task.messageId)).to.deep.equal(['old-1', 'old-2']);
    expect(stub.received.map((r) => r.url)).to.include.members([
      '/api/internal/tasks/old-1/status',
      '/api/internal/tasks/old-2/status',
    ]);
  });
});
