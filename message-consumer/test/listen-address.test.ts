import { DEVELOPMENT_TOKEN } from '@retro/common';
import { BrokerProbe, capturingLogger, testQueues } from '@retro/common/testing';
import { expect } from 'chai';
import { startConsumer } from '../src/index.js';
import { TEST_TOKEN } from './helpers.js';

const isLoopbackWarning = (line: Record<string, unknown>) =>
  line.level === 'warn' && /development default.*127\.0\.0\.1 only/.test(String(line.message));

/** What the consumer's health server binds, by token. No backend is needed for that. */
async function startedWith(token: string) {
  const queues = testQueues('consumer_listen');
  const { logger, lines } = capturingLogger('message-consumer', 'warn');
  const consumer = await startConsumer({
    queues,
    logger,
    config: { INTERNAL_API_TOKEN: token, CONSUMER_PORT: 0, BACKEND_URL: 'http://127.0.0.1:9' },
  });
  const { address } = consumer;
  await consumer.stop();
  const probe = await BrokerProbe.open();
  await probe.deleteQueues(queues).catch(() => undefined);
  await probe.close();
  return { address, warnings: lines.filter(isLoopbackWarning) };
}

describe('where the consumer listens', () => {
  it('when INTERNAL_API_TOKEN is the development default, then it listens on 127.0.0.1 only and warns', async () => {
    const { address, warnings } = await startedWith(DEVELOPMENT_TOKEN);
    expect(address).to.equal('127.0.0.1');
    expect(warnings).to.have.length(1);
  });

  it('when INTERNAL_API_TOKEN is a secret, then it listens on all interfaces without a warning', async () => {
    const { address, warnings } = await startedWith(TEST_TOKEN);
    expect(['::', '0.0.0.0']).to.include(address);
    expect(warnings).to.deep.equal([]);
  });
});
