import { randomBytes } from 'node:crypto';
import net from 'node:net';
import amqplib from 'amqplib';
import { assertTopology, type TopologyOptions } from '../topology.js';
import { brokerUrls } from '../broker-urls.js';
import { configSchema } from '../config.js';
import { queueNames, type QueueNames } from '../events.js';
import { retryTierQueue, retryTiers } from '../retry-tiers.js';

export { capturingLogger } from './log-capture.js';
export { PAGES_DIST_DIR, ensurePagesBuilt } from './pages.js';
export { metricValue } from './metrics.js';
export { jsonApi, type ApiCall, type ApiRequest, type ApiResponse } from './json-api.js';
export { TcpProxy } from './tcp-proxy.js';
export { skipWhenMissing } from './skip.js';
export {
  TEST_METRICS_TOKEN,
  TEST_PASSWORD,
  createTestAccounts,
  sessionCookieHeader,
  signInSession,
  type TestAccount,
  type TestAccounts,
} from './accounts.js';
export { TaskStreamClient, type TaskStreamClientOptions } from './task-stream.js';

/**
 * The broker tests use: the first node of RABBITMQ_URL (the environment or `.env`; it may list
 * several), else the local default.
 */
export const TEST_RABBITMQ_URL =
  brokerUrls(process.env.RABBITMQ_URL ?? '')[0] ?? 'amqp://guest:guest@127.0.0.1:5672';

/** RETRY_DELAY_MS when a test does not set it: the services' default. */
export const DEFAULT_RETRY_DELAY_MS: number = configSchema.RETRY_DELAY_MS.parse(undefined);

/**
 * Every queue a test's services may have declared: the three named ones and the retry tiers of
 * each base delay (RETRY_DELAY_MS) its consumers and producers ran with.
 */
export function allQueues(
  queues: QueueNames,
  retryDelaysMs: readonly number[] = [DEFAULT_RETRY_DELAY_MS],
): string[] {
  const tiers = new Set(retryDelaysMs.flatMap((base) => retryTiers(base)));
  return [
    queues.main,
    queues.retry,
    ...[...tiers].map((tier) => retryTierQueue(queues.main, tier)),
    queues.dlq,
  ];
}

/** The `INTERNAL_API_TOKEN` every test backend and consumer share. */
export const TEST_TOKEN = 'test-internal-token-0123456789';

/** A TCP port free right now on 127.0.0.1, for a child process that must be told its port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A name no other test run uses: `prefix_<random>`; safe for databases and queues. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** A valid `POST /api/games` body (a seeded platform and genre), with `overrides` on top. */
export const validGame = (overrides: Record<string, unknown> = {}) => ({
  title: 'Contra',
  platformId: 1,
  genreId: 3,
  developer: 'Konami',
  releaseYear: 1987,
  description: 'Run-and-gun through alien bases.',
  ...overrides,
});

/** Own queue names for one test file. */
export function testQueues(prefix: string): QueueNames {
  return queueNames(uniqueName(`test_${prefix}`));
}

/**
 * Polls `probe` until it returns a value other than `undefined`/`false`, or fails after
 * `timeoutMs` with `what` in the message. Tests wait on observable state with this, never on sleeps.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 15_000, intervalMs = 50 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Direct access to the broker for assertions: counts, gets and cleanup of a test's queues. A
 * failed operation (such as checking a queue not declared yet) closes an AMQP channel, so each
 * call opens a fresh channel when the last one was closed.
 */
export class BrokerProbe {
  private channel: amqplib.Channel | undefined;

  private constructor(private readonly connection: amqplib.ChannelModel) {
    connection.on('error', () => undefined);
  }

  static async open(url = TEST_RABBITMQ_URL): Promise<BrokerProbe> {
    return new BrokerProbe(await amqplib.connect(url));
  }

  /**
   * Declares the queues as the services do, so probing them never races the first service to
   * connect (checking a queue that does not exist yet closes the probe's channel).
   */
  async declareTopology(queues: QueueNames, options?: TopologyOptions): Promise<void> {
    await assertTopology(await this.ch(), queues, options);
  }

  private async ch(): Promise<amqplib.Channel> {
    if (!this.channel) {
      const channel = await this.connection.createChannel();
      channel.on('error', () => undefined);
      channel.on('close', () => {
        if (this.channel === channel) this.channel = undefined;
      });
      this.channel = channel;
    }
    return this.channel;
  }

  async messageCount(queue: string): Promise<number> {
    return (await (await this.ch()).checkQueue(queue)).messageCount;
  }

  /**
   * Declares `queue` as the original clients do. The broker refuses (PRECONDITION_FAILED) when the
   * queue exists with other durability or arguments, so this checks how it was declared.
   */
  async declare(queue: string, options: amqplib.Options.AssertQueue): Promise<void> {
    await (await this.ch()).assertQueue(queue, options);
  }

  async consumerCount(queue: string): Promise<number> {
    return (await (await this.ch()).checkQueue(queue)).consumerCount;
  }

  /** Takes up to `max` messages off `queue` (acking them). */
  async drain(queue: string, max = 100_000): Promise<amqplib.GetMessage[]> {
    const channel = await this.ch();
    const out: amqplib.GetMessage[] = [];
    while (out.length < max) {
      const msg = await channel.get(queue, { noAck: true });
      if (!msg) break;
      out.push(msg);
    }
    return out;
  }

  async publish(queue: string, body: Buffer | string, options: amqplib.Options.Publish = {}) {
    (await this.ch()).sendToQueue(queue, Buffer.isBuffer(body) ? body : Buffer.from(body), options);
  }

  /** Deletes `queue` with whatever it holds, as an operator might while services run. */
  async deleteQueue(queue: string): Promise<void> {
    await (await this.ch()).deleteQueue(queue);
  }

  /** Deletes an exchange (a test's own), whatever is bound to it. */
  async deleteExchange(exchange: string): Promise<void> {
    await (await this.ch()).deleteExchange(exchange);
  }

  /**
   * Deletes a test's queues, retry tiers included: those of each base delay in `retryDelaysMs`
   * (default: the services' default RETRY_DELAY_MS). Deleting a queue that does not exist is fine.
   */
  async deleteQueues(queues: QueueNames, retryDelaysMs?: readonly number[]): Promise<void> {
    for (const q of allQueues(queues, retryDelaysMs)) await this.deleteQueue(q);
  }

  /** Ready messages waiting in the retry tiers of the base delay `retryDelayMs` (all declared). */
  async retryDepth(queues: QueueNames, retryDelayMs: number): Promise<number> {
    let total = 0;
    for (const tier of retryTiers(retryDelayMs)) {
      total += await this.messageCount(retryTierQueue(queues.main, tier));
    }
    return total;
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}
export { registeredRoutes } from './routes.js';
export { documentationGaps, exampleProblems } from './openapi-check.js';
