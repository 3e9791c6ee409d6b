import { expect } from 'chai';
import { type ProducerTestEnv, startProducerTestEnv } from './helpers.js';

describe('message producer: request limits', () => {
  let h: ProducerTestEnv;

  before(async () => {
    h = await startProducerTestEnv('producer_limits', {
      rateLimit: { windowMs: 60_000, limit: 3 },
    });
  });
  after(async () => h.cleanup());

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

  it('when RATE_LIMIT_PER_MINUTE is 5, then the sixth request answers 429 with RateLimit headers, whatever X-Forwarded-For says; 0 turns it off', async () => {
    /** Seven requests, each claiming another client address, to a producer of its own. */
    const sevenRequests = async (config: Record<string, number>) => {
      const other = await startProducerTestEnv(
        'producer_limit_env',
        { rateLimit: undefined, config },
        { waitForBroker: false },
      );
      try {
        const answers: Response[] = [];
        for (let i = 0; i < 7; i++) {
          const headers = { 'X-Forwarded-For': `198.51.100.${i + 1}` };
          answers.push(await fetch(`${other.producer.url}/api/info`, { headers }));
        }
        return answers;
      } finally {
        await other.cleanup();
      }
    };
    const limited = await sevenRequests({ RATE_LIMIT_PER_MINUTE: 5 });
    expect(limited.map((a) => a.status)).to.deep.equal([200, 200, 200, 200, 200, 429, 429]);
    expect(limited[0]!.headers.get('ratelimit-policy')).to.match(/q=5; w=60/);
    expect(limited[5]!.headers.get('ratelimit')).to.match(/r=0/);
    const unlimited = await sevenRequests({ RATE_LIMIT_PER_MINUTE: 0 });
    expect(unlimited.map((a) => a.status)).to.deep.equal(Array(7).fill(200));
  });
});
