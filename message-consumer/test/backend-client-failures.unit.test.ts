import { expect } from 'chai';
import { DownstreamError, PermanentError } from '../src/domain/failures.js';
import {
  TOKEN,
  applied,
  outcomes,
  processing,
  refusal,
  useStubBackend,
  type Received,
} from './stub-backend.js';

describe('backend client: failures and their classes', () => {
  const ctx = useStubBackend();
  const start: typeof ctx.start = (options) => ctx.start(options);

  it("fails every caller of a batch answered 503 as the backend's failure, after the quick retries", async () => {
    ctx.stub.answer = () => refusal(503);
    const backend = start({ retries: 1 });
    const results = await outcomes(
      ['t-1', 't-2'].map((id) => backend.reportStatus(id, processing)),
    );
    expect(results).to.deep.equal(['downstream:server_error', 'downstream:server_error']);
    // the first attempt and the one retry, each time both writes together
    expect(ctx.stub.received.map((r) => r.writes.length)).to.deep.equal([2, 2]);
  });

  it('hides a brief 5xx behind the quick retry and gives every caller its result', async () => {
    ctx.stub.answer = (request) =>
      ctx.stub.received.length === 1
        ? refusal(502)
        : { status: 200, body: { results: request.writes.map(applied) } };
    const backend = start({ retries: 2 });
    const results = await outcomes(
      ['b-1', 'b-2'].map((id) => backend.reportStatus(id, processing)),
    );
    expect(results).to.deep.equal(['ok', 'ok']);
  });

  it('fails every caller of a batch refused with a 4xx as permanent, without retrying', async () => {
    ctx.stub.answer = () => refusal(422);
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
    expect(ctx.stub.received).to.have.length(1);
  });

  it("fails every caller as the backend's failure when it is unreachable", async () => {
    await ctx.stub.stop();
    const backend = start({ retries: 0 });
    const results = await outcomes(
      ['u-1', 'u-2'].map((id) => backend.reportStatus(id, processing)),
    );
    expect(results).to.deep.equal(['downstream:unreachable', 'downstream:unreachable']);
  });

  it("fails every caller as the backend's failure when the answer does not hold one result per write", async () => {
    ctx.stub.answer = () => ({ status: 200, body: { results: [] } });
    const backend = start({ retries: 0 });
    const results = await outcomes(
      ['r-1', 'r-2'].map((id) => backend.reportStatus(id, processing)),
    );
    expect(results).to.deep.equal(['downstream:server_error', 'downstream:server_error']);
  });

  it("treats 429 as the backend's failure and 401/403 as its configuration's, naming INTERNAL_API_TOKEN, without quick retries", async () => {
    const statuses = [429, 401, 403];
    ctx.stub.answer = () => refusal(statuses[0]!);
    const backend = start({ retries: 0 });
    expect(await outcomes([backend.reportStatus('l-1', processing)])).to.deep.equal([
      'downstream:rate_limited',
    ]);
    for (const status of [401, 403]) {
      ctx.stub.answer = () => refusal(status);
      ctx.stub.received.length = 0;
      const error = await start({ retries: 3 })
        .reportStatus('a-1', processing)
        .catch((e: unknown) => e as DownstreamError);
      expect(error).to.be.instanceOf(DownstreamError);
      expect((error as DownstreamError).kind).to.equal('unauthorized');
      expect((error as Error).message).to.contain('INTERNAL_API_TOKEN');
      expect(ctx.stub.received, 'a wrong token is not retried in place').to.have.length(1);
    }
  });

  it('fails only the write the backend refused in a batch, as permanent, and gives the others their result', async () => {
    ctx.stub.answer = (request) => ({
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
      ctx.stub.answer = probeAnswers(200, 400);
      await start().probe();
      expect(ctx.stub.received.map((r) => [r.url, r.authorization])).to.deep.equal([
        ['/ready', undefined],
        ['/api/internal/tasks/status', `Bearer ${TOKEN}`],
      ]);
    });

    it('fails while /ready answers 503, and while the token is refused', async () => {
      ctx.stub.answer = probeAnswers(503, 400);
      const notReady = (await start()
        .probe()
        .catch((e: unknown) => e)) as DownstreamError;
      expect(notReady.kind).to.equal('server_error');
      ctx.stub.answer = probeAnswers(200, 401);
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
    expect(ctx.stub.received.flatMap((r) => r.writes.map((w) => w.messageId))).to.deep.equal([
      'good-1',
      'good-2',
    ]);
  });

  it('falls back to one write per request when the backend has no batch route yet (mid-upgrade)', async () => {
    ctx.stub.answer = (request) => {
      if (request.url === '/api/internal/tasks/status') return refusal(404);
      const messageId = decodeURIComponent(request.url.split('/')[4]!);
      return { status: 200, body: { applied: true, task: { messageId, status: 'processing' } } };
    };
    const backend = start();
    const replies = await Promise.all(
      ['old-1', 'old-2'].map((id) => backend.reportStatus(id, processing)),
    );
    expect(replies.map((r) => r.task.messageId)).to.deep.equal(['old-1', 'old-2']);
    expect(ctx.stub.received.map((r) => r.url)).to.include.members([
      '/api/internal/tasks/old-1/status',
      '/api/internal/tasks/old-2/status',
    ]);
  });
});
