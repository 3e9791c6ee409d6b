import { DEVELOPMENT_TOKEN } from '@retro/common';
import { expect } from 'chai';
import { startTestEnv, type TestEnv } from './helpers.js';

const WILDCARD = ['::', '0.0.0.0'];

/** Other machines reach the backend only when HOST says so, whatever token it holds. */
describe('where the backend listens', () => {
  const envs: TestEnv[] = [];
  after(async () => {
    await Promise.all(envs.map((env) => env.cleanup()));
  });

  it('when HOST is not set, then it listens on 127.0.0.1 only, even with a secret INTERNAL_API_TOKEN', async () => {
    // empty counts as not set, whatever the environment running the tests says
    const env = await startTestEnv('listen_default', { config: { HOST: '' } });
    envs.push(env);
    expect(env.backend.address).to.equal('127.0.0.1');
    expect((await env.api('/health')).status).to.equal(200);
  });

  it('when HOST is 0.0.0.0, then it listens on all interfaces, even with the development token', async () => {
    const env = await startTestEnv('listen_all', {
      config: { HOST: '0.0.0.0', INTERNAL_API_TOKEN: DEVELOPMENT_TOKEN },
    });
    envs.push(env);
    expect(WILDCARD).to.include(env.backend.address);
    expect((await env.api('/health')).status).to.equal(200);
  });
});
