import { randomBytes } from 'node:crypto';
import net from 'node:net';
import amqplib from 'amqplib';
import { assertTopology } from '../amqp.js';
import { queueNames, type QueueNames } from '../events.js';

export { capturingLogger } from './log-capture.js';
export { PAGES_DIST_DIR, ensurePagesBuilt } from './pages.js';
export { metricValue } from './metrics.js';
export { jsonApi, type ApiCall, type ApiRequest, type ApiResponse } from './json-api.js';
export { TcpProxy } from './tcp-proxy.js';
export { TaskStreamClient, type TaskStreamClientOptions } from './task-stream.js';

export const TEST_RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

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
  async declareTopology(queues: QueueNames): Promise<void> {
    await assertTopology(await this.ch(), queues);
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

  async deleteQueues(queues: QueueNames): Promise<void> {
    for (const q of [queues.main, queues.retry, queues.dlq]) await this.deleteQueue(q);
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}
