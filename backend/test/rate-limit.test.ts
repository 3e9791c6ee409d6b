import { expect } from 'chai';
import type { BackendOptions } from '../src/index.js';
import { startTestEnv, type ApiResponse, type TestEnv } from './helpers.js';

/**
 * RATE_LIMIT_PER_MINUTE and TRUST_PROXY on the backend itself, reached directly as the tests
 * reach it (from 127.0.0.1). Through the proxies: tests/proxies/.
 */
describe('rate limit per client', () => {
  const envs: TestEnv[] = [];
  after(async () => {
    await Promise.all(envs.map((env) => env.cleanup()));
  });

  async function backend(prefix: string, options: BackendOptions) {
    const env = await startTestEnv(prefix, options);
    envs.push(env);
    return env;
  }

  /** `n` calls of a cheap public endpoint, each with the given X-Forwarded-For (or none). */
  async function burst(env: TestEnv, n: number, forwardedFor: (i: number) => string | undefined) {
    const answers: ApiResponse[] = [];
    for (let i = 0; i < n; i++) {
      const spoofed = forwardedFor(i);
      answers.push(
        await env.api('/api/platforms', {
          headers: spoofed ? { 'X-Forwarded-For': spoofed } : {},
        }),
      );
    }
    return answers;
  }

  it('when RATE_LIMIT_PER_MINUTE is 5, then the sixth request in a minute answers 429 RATE_LIMITED with RateLimit headers', async () => {
    const env = await backend('ratelimit_five', { config: { RATE_LIMIT_PER_MINUTE: 5 } });
    const answers = await burst(env, 6, () => undefined);
    expect(answers.map((a) => a.status)).to.deep.equal([200, 200, 200, 200, 200, 429]);
    expect(answers[0]!.headers.get('ratelimit-policy')).to.match(/q=5; w=60/);
    expect(answers[4]!.headers.get('ratelimit')).to.match(/r=0/);
    const limited = answers[5]!;
    expect(limited.body.error).to.include({ code: 'RATE_LIMITED' });
    expect(limited.headers.get('ratelimit')).to.match(/r=0; t=\d+/);
    expect(Number(limited.headers.get('retry-after'))).to.be.within(1, 60);
    // liveness is not part of the public API's budget
    expect((await env.api('/health')).status).to.equal(200);
  });

  it('when no proxy is trusted (the default), then a new X-Forwarded-For on every request is still the same client', async () => {
    const env = await backend('ratelimit_spoof', { config: { RATE_LIMIT_PER_MINUTE: 5 } });
    const answers = await burst(env, 8, (i) => `203.0.113.${i + 1}`);
    expect(answers.map((a) => a.status)).to.deep.equal([200, 200, 200, 200, 200, 429, 429, 429]);
  });

  it('when TRUST_PROXY names the peer, then the client it forwards for is counted on its own', async () => {
    const env = await backend('ratelimit_trusted', {
      config: { RATE_LIMIT_PER_MINUTE: 2, TRUST_PROXY: 'loopback' },
    });
    const first = await burst(env, 3, () => '203.0.113.7');
    const other = await burst(env, 1, () => '203.0.113.8');
    expect([...first, ...other].map((a) => a.status)).to.deep.equal([200, 200, 429, 200]);
  });

  it('when RATE_LIMIT_PER_MINUTE is 0, or the start option says 0, then nothing is limited', async () => {
    const off = await backend('ratelimit_off', { config: { RATE_LIMIT_PER_MINUTE: 0 } });
    const overridden = await backend('ratelimit_option', {
      config: { RATE_LIMIT_PER_MINUTE: 1 },
      rateLimitPerMinute: 0,
    });
    for (const env of [off, overridden]) {
      const answers = await burst(env, 25, () => undefined);
      expect(answers.every((a) => a.status === 200)).to.equal(true);
      expect(answers[0]!.headers.get('ratelimit')).to.equal(null);
    }
  });
});
