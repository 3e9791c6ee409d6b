import { expect } from 'chai';
import { reportStatus, startTestEnv, TEST_TOKEN, type TestEnv } from './helpers.js';

const LIMIT = 3;

/** A caller guessing the internal token is slowed down; the consumer's right token never is. */
describe('internal routes: wrong tokens limited per address', () => {
  let env: TestEnv;
  before(async () => {
    env = await startTestEnv('token_failures', {
      config: { AUTH_FAILURE_LIMIT: LIMIT, AUTH_FAILURE_WINDOW_MS: 60_000 },
    });
  });
  after(async () => env?.cleanup());

  const metric = async (reason: string, access: string) => {
    const text = await env.metrics();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`access_refused_total{reason="${reason}",access="${access}"}`));
    return Number(line?.split(' ')[1] ?? 0);
  };
  const update = { status: 'processing', type: 'custom' };

  it('when one address sends wrong tokens past the limit, then it gets 429 with Retry-After while a right token still gets through', async () => {
    for (let i = 0; i < LIMIT; i++) {
      const res = await reportStatus(env, 'guess-1', update, 'wrong-token-guess-000000');
      expect(res.status).to.equal(401);
    }
    const throttled = await reportStatus(env, 'guess-1', update, 'wrong-token-guess-000001');
    expect(throttled.status).to.equal(429);
    expect(throttled.body.error.code).to.equal('RATE_LIMITED');
    const wait = Number(throttled.headers.get('retry-after'));
    expect(wait).to.be.within(1, 60);
    // no token at all is a failed attempt too
    const none = await env.anonymous('/api/internal/tasks/guess-1/status', {
      method: 'PUT',
      body: update,
    });
    expect(none.status).to.equal(429);

    // the right token, from the same address, meanwhile: checked and answered as usual
    const right = await reportStatus(env, 'never-published-1', update, TEST_TOKEN);
    expect(right.status).to.not.be.oneOf([401, 429]);
    // and a signed-in reader is not held back either
    expect((await env.api('/api/games?limit=1')).status).to.equal(200);

    expect(await metric('bad-token', 'internal')).to.equal(LIMIT);
    expect(await metric('token-throttled', 'internal')).to.equal(2);
  });
});
