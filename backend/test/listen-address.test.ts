import { DEVELOPMENT_TOKEN } from '@retro/common';
import { capturingLogger } from '@retro/common/testing';
import { expect } from 'chai';
import { startTestEnv, type TestEnv } from './helpers.js';

const WILDCARD = ['::', '0.0.0.0'];
const isLoopbackWarning = (line: Record<string, unknown>) =>
  line.level === 'warn' && /development default.*127\.0\.0\.1 only/.test(String(line.message));

/** Anyone who can connect while the development token is in use could write task statuses. */
describe('where the backend listens', () => {
  const envs: TestEnv[] = [];
  after(async () => {
    await Promise.all(envs.map((env) => env.cleanup()));
  });

  it('when INTERNAL_API_TOKEN is the development default, then it listens on 127.0.0.1 only and warns', async () => {
    const { logger, lines } = capturingLogger('backend', 'warn');
    const env = await startTestEnv('listen_dev', {
      logger,
      config: { INTERNAL_API_TOKEN: DEVELOPMENT_TOKEN },
    });
    envs.push(env);
    expect(env.backend.address).to.equal('127.0.0.1');
    expect((await env.api('/health')).status).to.equal(200);
    expect(lines.filter(isLoopbackWarning)).to.have.length(1);
  });

  it('when INTERNAL_API_TOKEN is a secret, then it listens on all interfaces without a warning', async () => {
    const { logger, lines } = capturingLogger('backend', 'warn');
    const env = await startTestEnv('listen_secret', { logger });
    envs.push(env);
    expect(WILDCARD).to.include(env.backend.address);
    expect(lines.filter(isLoopbackWarning)).to.deep.equal([]);
  });
});
