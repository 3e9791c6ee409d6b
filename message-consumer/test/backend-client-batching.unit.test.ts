import { expect } from 'chai';
import { waitFor } from '@retro/common/testing';
import { TOKEN, applied, processing, useStubBackend } from './stub-backend.js';

describe('backend client: coalesced status writes', () => {
  const ctx = useStubBackend();
  const start: typeof ctx.start = (options) => ctx.start(options);

  it('sends writes made together as one batch request and gives each caller its own result', async () => {
    const backend = start();
    const replies = await Promise.all(
      ['m-1', 'm-2', 'm-3'].map((id, i) =>
        backend.reportStatus(id, { ...processing, attempts: i + 1 }),
      ),
    );
    expect(ctx.stub.received).to.have.length(1);
    const [request] = ctx.stub.received;
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
    ctx.stub.answer = async (request) => {
      if (ctx.stub.received.length === 1) await held;
      return { status: 200, body: { results: request.writes.map(applied) } };
    };
    const backend = start({ batchWindowMs: 600_000 });
    const first = backend.reportStatus('first', processing);
    await waitFor('the first request to arrive', () => ctx.stub.received.length === 1);
    const later = ['later-1', 'later-2', 'later-3'].map((id) =>
      backend.reportStatus(id, processing),
    );
    release();
    await Promise.all([first, ...later]);
    expect(ctx.stub.received.map((r) => r.writes.map((w) => w.messageId))).to.deep.equal([
      ['first'],
      ['later-1', 'later-2', 'later-3'],
    ]);
  });

  it('sends a write superseded before its request left once, as the later write, and answers for that', async () => {
    const backend = start();
    const pending = backend.beginReport('merged', processing);
    expect(pending.supersede({ ...processing, status: 'completed' })).to.equal(true);
    const reply = await pending.reply;
    expect(reply.task.status).to.equal('completed');
    expect(ctx.stub.received.flatMap((r) => r.writes)).to.deep.equal([
      { messageId: 'merged', status: 'completed', type: 'custom', attempts: 1 },
    ]);
  });

  it('keeps a write that has left: superseding it is refused and the later write goes on its own', async () => {
    const backend = start();
    const pending = backend.beginReport('sent', processing);
    await waitFor('the write to arrive', () => ctx.stub.received.length === 1);
    expect(pending.supersede({ ...processing, status: 'completed' })).to.equal(false);
    expect((await pending.reply).task.status).to.equal('processing');
    await backend.reportStatus('sent', { ...processing, status: 'completed' });
    expect(ctx.stub.received.map((r) => r.writes.map((w) => w.status))).to.deep.equal([
      ['processing'],
      ['completed'],
    ]);
  });

  it('refuses to supersede a write with an invalid one, and sends the first as it was', async () => {
    const backend = start();
    const pending = backend.beginReport('kept', processing);
    expect(pending.supersede({ ...processing, attempts: -1 })).to.equal(false);
    expect((await pending.reply).task.status).to.equal('processing');
  });

  it('never puts more than maxBatch writes in one request', async () => {
    const backend = start({ maxBatch: 3 });
    await Promise.all(
      Array.from({ length: 7 }, (_, i) => backend.reportStatus(`many-${i}`, processing)),
    );
    const sizes = ctx.stub.received.map((r) => r.writes.length);
    expect(Math.max(...sizes)).to.be.at.most(3);
    expect(sizes.reduce((a, b) => a + b)).to.equal(7);
  });
});
