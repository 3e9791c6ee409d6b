import { expect } from 'chai';
import { type Harness, startHarness } from './helpers.js';

describe('message producer: request limits', () => {
  let h: Harness;

  before(async () => {
    h = await startHarness('producer_limits', { rateLimit: { windowMs: 60_000, limit: 3 } });
  });
  after(async () => h.close());

  it('when a client goes over the rate limit, then it gets 429 RATE_LIMITED in the error shape, publishes nothing more, and /health still answers', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await h.post('/api/messages/custom', { message: `m${i}` });
      statuses.push(res.status);
      if (res.status === 429) expect(res.body.error).to.include({ code: 'RATE_LIMITED' });
    }

    const firstLimited = statuses.indexOf(429);
    expect(firstLimited, statuses.join()).to.be.within(1, 3); // the harness used one of the 3
    expect(statuses.slice(firstLimited).every((s) => s === 429)).to.equal(true);
    expect(await h.probe.messageCount(h.queues.main)).to.equal(firstLimited);
    expect((await h.get('/health')).status).to.equal(200);
  });
});
