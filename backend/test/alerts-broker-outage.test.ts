import { expect } from 'chai';
import type { AlertList } from '@retro/common';
import { TcpProxy, waitFor } from '@retro/common/testing';
import { startTestEnv, type TestEnv } from './helpers.js';

describe('built-in alerts when the broker is cut off (TCP proxy)', function () {
  this.timeout(60_000);
  let env: TestEnv;
  let proxy: TcpProxy;
  const stateOf = async (rule: string) =>
    (await env.as('viewer')<AlertList>('/api/alerts')).body.alerts.find((a) => a.rule === rule)
      ?.state;

  before(async () => {
    proxy = new TcpProxy('127.0.0.1', 5672);
    const port = await proxy.start();
    env = await startTestEnv('alertsbroker', {
      alerts: { tickMs: 100 },
      config: {
        RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${port}`,
        ALERT_EVALUATE_INTERVAL_MS: 200,
        ALERT_BROKER_UNREACHABLE_AFTER_MS: 500,
      },
    });
    await waitFor('the broker connection', async () => (await env.api('/ready')).status === 200);
  });

  after(async () => {
    await env?.cleanup();
    await proxy?.stop();
  });

  it('when the connection is cut, then broker-unreachable fires after its delay and broker_connected reads 0', async () => {
    proxy.disconnect();
    await waitFor(
      'broker-unreachable to fire',
      async () => (await stateOf('broker-unreachable')) === 'firing',
    );
    const text = await env.metrics();
    expect(text).to.match(/^broker_connected 0$/m);
    // without the broker the queue readings are unknown, not zero
    expect(text).to.not.include('broker_queue_consumers{');
  });

  it('when the connection is back, then broker-unreachable resolves', async () => {
    proxy.restore();
    await waitFor(
      'broker-unreachable to resolve',
      async () => (await stateOf('broker-unreachable')) === 'resolved',
      {
        timeoutMs: 30_000,
      },
    );
    expect(await env.metrics()).to.match(/^broker_connected 1$/m);
  });
});
