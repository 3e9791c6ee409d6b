// Every service on a broker list (RABBITMQ_URL with two node URLs). The two "nodes" are TCP
// proxies the test controls in front of this machine's broker, so one can be cut like a node that
// went away: the services must carry on through the other one, declaring their queues there again
// (the test deletes them while the services are away), and come back when the first returns.
import { type RunningBackend, startBackend } from '@retro/backend';
import { createLogger, type ProcessingTask, type QueueNames } from '@retro/common';
import {
  BrokerProbe,
  DEFAULT_RETRY_DELAY_MS,
  TEST_RABBITMQ_URL,
  TcpProxy,
  createTestAccounts,
  testQueues,
  type TestAccounts,
  validGame,
  waitFor,
} from '@retro/common/testing';
import { createPool } from '@retro/database';
import { createTestDatabase } from '@retro/database/testing';
import { type RunningConsumer, startConsumer } from '@retro/message-consumer';
import { type RunningProducer, startProducer } from '@retro/message-producer';
import { expect } from 'chai';

const TOKEN = 'broker-list-token-0123456789';
const RETRY_DELAY_MS = 100;

describe('every service on a broker list', function () {
  this.timeout(120_000);
  const broker = new URL(TEST_RABBITMQ_URL);
  const nodes = [
    new TcpProxy(broker.hostname, Number(broker.port || 5672)),
    new TcpProxy(broker.hostname, Number(broker.port || 5672)),
  ];
  let queues: QueueNames;
  let drop: (() => Promise<void>) | undefined;
  let backend: RunningBackend | undefined;
  let consumer: RunningConsumer | undefined;
  let producer: RunningProducer | undefined;
  let probe: BrokerProbe;
  let accounts: TestAccounts;

  before(async () => {
    for (const node of nodes) await node.start();
    const list = nodes
      .map((node) => {
        const url = new URL(TEST_RABBITMQ_URL);
        url.host = `127.0.0.1:${node.port}`;
        return url.toString();
      })
      .join(',');
    queues = testQueues('broker_list');
    const database = await createTestDatabase('broker_list');
    drop = database.drop;
    const pool = createPool(database.settings, 1);
    accounts = await createTestAccounts(pool);
    await pool.end();
    const logger = createLogger('broker-list-test', 'error');
    logger.silent = !process.env.TEST_LOGS; // disconnections are the point here
    backend = await startBackend({
      queues,
      logger,
      relayPollIntervalMs: 100,
      config: {
        RABBITMQ_URL: list,
        DB_NAME: database.settings.database,
        BACKEND_PORT: 0,
        INTERNAL_API_TOKEN: TOKEN,
      },
    });
    consumer = await startConsumer({
      queues,
      logger,
      probeMaxDelayMs: 500,
      config: {
        RABBITMQ_URL: list,
        BACKEND_URL: backend.url,
        INTERNAL_API_TOKEN: TOKEN,
        CONSUMER_PORT: 0,
        PROCESSING_DELAY_MS: 0,
        RETRY_DELAY_MS,
      },
    });
    producer = await startProducer({
      queues,
      logger,
      rateLimit: false,
      config: {
        RABBITMQ_URL: list,
        BACKEND_URL: backend.url,
        PRODUCER_PORT: 0,
        DB_NAME: database.settings.database,
      },
    });
    probe = await BrokerProbe.open();
  });

  after(async () => {
    await producer?.stop();
    await consumer?.stop();
    await backend?.stop();
    for (const node of nodes) await node.stop();
    await probe?.deleteQueues(queues, [DEFAULT_RETRY_DELAY_MS, RETRY_DELAY_MS]).catch(() => {});
    await probe?.deleteExchange(`${queues.main}.task_changes`).catch(() => undefined);
    await probe?.close();
    await drop?.();
  });

  /** Creates a game through the API and waits until the consumer has completed its event. */
  async function gameCompletes(title: string): Promise<void> {
    const res = await fetch(`${backend!.url}/api/games`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${accounts.editor.token}`,
      },
      body: JSON.stringify(validGame({ title })),
    });
    expect(res.status).to.equal(201);
    const { id } = (await res.json()) as { id: number };
    await waitFor(
      `game "${title}" to be processed`,
      async () => {
        const game = await (await fetch(`${backend!.url}/api/games/${id}`)).json();
        return (game as { processingStatus: string }).processingStatus === 'completed';
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
  }

  /** Publishes a tester's message (one transient failure: it goes round a retry tier). */
  async function customMessageCompletes(): Promise<void> {
    const res = await fetch(`${producer!.url}/api/messages/custom`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${accounts.tester.token}`,
      },
      body: JSON.stringify({ message: 'through the list', simulate: 'transient', failAttempts: 1 }),
    });
    expect(res.status).to.equal(201);
    const { messageId } = (await res.json()) as { messageId: string };
    await waitFor(
      `message ${messageId} to complete`,
      async () => {
        const res = await fetch(`${backend!.url}/api/tasks/${messageId}`);
        return res.ok && ((await res.json()) as ProcessingTask).status === 'completed';
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
  }

  const ready = async () => (await fetch(`${backend!.url}/ready`)).status === 200;

  it('when every node is up, then the services connect to the first one in the list', async () => {
    await waitFor('every service on the first node', () => nodes[0]!.connectionCount > 0);
    await gameCompletes('On the first node');
    await customMessageCompletes();
    expect(nodes[1]!.connectionCount).to.equal(0);
  });

  /** After a cut: every service has noticed, connected through another node, and works. */
  async function carriesOnThrough(node: string): Promise<void> {
    await waitFor('the consumer to notice', () => !consumer!.isConsuming());
    await waitFor(`the consumer to subscribe through ${node}`, () => consumer!.isConsuming());
    await waitFor('the backend to be ready again', ready);
    await gameCompletes(`Through ${node}`);
    await customMessageCompletes();
  }

  it('when the first node goes away, then every service carries on through the second, declaring its queues there again', async () => {
    nodes[0]!.disconnect();
    // while nobody is connected: whoever reaches the next node must declare everything again
    await probe.deleteQueues(queues, [DEFAULT_RETRY_DELAY_MS, RETRY_DELAY_MS]);
    await carriesOnThrough('the second node');
    expect(nodes[0]!.connectionCount).to.equal(0);
    expect(nodes[1]!.connectionCount).to.be.greaterThan(0);
  });

  it('when the second node goes away too and the first is back, then they come back to the first', async () => {
    nodes[0]!.restore();
    nodes[1]!.disconnect();
    await carriesOnThrough('the first node again');
    expect(nodes[1]!.connectionCount).to.equal(0);
  });
});
