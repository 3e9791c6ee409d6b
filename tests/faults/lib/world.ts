import {
  assertTopology,
  retryTierQueue,
  retryTiers,
  type QueueNames,
  type QueueType,
} from '@retro/common';
import {
  BrokerProbe,
  DEFAULT_RETRY_DELAY_MS,
  createTestAccounts,
  freePort,
  testQueues,
  type TestAccounts,
} from '@retro/common/testing';
import { createPool } from '@retro/database';
import { createTestDatabase } from '@retro/database/testing';
import amqplib from 'amqplib';
import type mysql from 'mysql2/promise';
import { BackendProcess, ConsumerFleet, RestartableBackend } from './services.js';
import {
  LOCAL_BROKER,
  type RawMessage,
  type Settled,
  type TaskRow,
  type WorldBroker,
  type WorldState,
  summarize,
} from './world-state.js';

export * from './world-state.js';

/**
 * One fault test file's world: its own database (migrated, with the kit's account per role) and
 * queues (declared up front, so probing them never races the first service to connect), a pool
 * and a broker probe. Services
 * started through it are torn down by `close()` whatever state the test left them in, and child
 * processes are killed if the test process exits first: a failed or aborted run leaves nothing
 * running and nothing behind on the shared MariaDB and RabbitMQ.
 */
export class FaultWorld {
  private readonly fleets: ConsumerFleet[] = [];
  private readonly backends: Array<BackendProcess | RestartableBackend> = [];
  /** RETRY_DELAY_MS of every fleet: their retry tiers are counted and deleted. */
  private readonly retryDelays = new Set<number>();
  private readonly killChildren = () => {
    for (const fleet of this.fleets) fleet.killAllNow();
    for (const backend of this.backends) if (backend instanceof BackendProcess) backend.killNow();
  };

  private constructor(
    readonly queues: QueueNames,
    readonly database: string,
    readonly pool: mysql.Pool,
    /** One account per role; the suite's API calls sign in as the editor. */
    readonly accounts: TestAccounts,
    private probe: BrokerProbe,
    private readonly dropDatabase: () => Promise<void>,
    readonly broker: WorldBroker,
  ) {
    process.on('exit', this.killChildren);
  }

  static async open(prefix: string, broker: WorldBroker = LOCAL_BROKER): Promise<FaultWorld> {
    const queues = testQueues(prefix);
    const database = await createTestDatabase(prefix);
    try {
      if (broker.declare) await broker.declare(queues);
      else {
        const connection = await amqplib.connect(broker.probeUrl);
        try {
          await assertTopology(await connection.createChannel(), queues, {
            queueType: broker.queueType,
          });
        } finally {
          await connection.close();
        }
      }
      const probe = await BrokerProbe.open(broker.probeUrl);
      const pool = createPool(database.settings, 4);
      const accounts = await createTestAccounts(pool);
      return new FaultWorld(
        queues,
        database.settings.database,
        pool,
        accounts,
        probe,
        database.drop,
        broker,
      );
    } catch (error) {
      await database.drop();
      throw error;
    }
  }

  /** Consumer processes on this world's queues with `env` (a consumer's environment). */
  consumers(env: Record<string, string | number>): ConsumerFleet {
    this.retryDelays.add(Number(env.RETRY_DELAY_MS ?? DEFAULT_RETRY_DELAY_MS));
    const fleet = new ConsumerFleet(this.queues, {
      RABBITMQ_URL: this.broker.url,
      QUEUE_TYPE: this.broker.queueType,
      ...env,
    });
    this.fleets.push(fleet);
    return fleet;
  }

  /**
   * The backend in this process with the suite's internal token and `config` on top, started
   * unless `start` is false (its port is known before it listens: consumers can be pointed at it).
   */
  async backend(
    config: Record<string, string | number> = {},
    { start = true } = {},
  ): Promise<RestartableBackend> {
    const backend = new RestartableBackend(
      this.database,
      this.queues,
      await freePort(),
      this.accounts.editor.token,
      this.brokerEnv(),
      config,
    );
    this.backends.push(backend);
    if (start) await backend.start();
    return backend;
  }

  /** The backend as a child process on a fixed port, started; it can be killed for real. */
  async backendProcess(config: Record<string, string | number> = {}): Promise<BackendProcess> {
    const backend = new BackendProcess(
      this.database,
      this.queues,
      await freePort(),
      this.accounts.editor.token,
      this.brokerEnv(),
      config,
    );
    this.backends.push(backend);
    await backend.start();
    return backend;
  }

  /** The broker settings every service of this world gets. */
  brokerEnv(): { RABBITMQ_URL: string; QUEUE_TYPE: QueueType } {
    return { RABBITMQ_URL: this.broker.url, QUEUE_TYPE: this.broker.queueType };
  }

  /** Every retry queue the world's consumers may use: their tiers (and the old single queue). */
  retryQueues(): string[] {
    const tiers = new Set([...this.retryDelays].flatMap((base) => retryTiers(base)));
    const legacy = this.broker.queueType === 'classic' ? [this.queues.retry] : [];
    return [...legacy, ...[...tiers].map((tier) => retryTierQueue(this.queues.main, tier))];
  }

  /** Ready messages in all retry queues together; null when one of them does not exist. */
  async retryDepth(): Promise<number | null> {
    let total = 0;
    for (const queue of this.retryQueues()) {
      const depth = await this.depth(queue);
      if (depth === null) return null;
      total += depth;
    }
    return total;
  }

  async tasks(): Promise<TaskRow[]> {
    const [rows] = await this.pool.query<mysql.RowDataPacket[]>(
      `SELECT message_id AS messageId, type, game_id AS gameId, status, attempts,
              last_error AS lastError
         FROM processing_tasks`,
    );
    return rows as TaskRow[];
  }

  /** Ready messages in `queue`, or null when it does not exist (it was deleted). */
  async depth(queue: string): Promise<number | null> {
    try {
      return await this.probe.messageCount(queue);
    } catch {
      return null; // a 404 closes the probe's channel; its next call opens another
    }
  }

  /** Takes every message off `queue` (acking them), to look at what was parked. */
  drain(queue: string): Promise<amqplib.GetMessage[]> {
    return this.probe.drain(queue);
  }

  /** Subscriptions on `queue`, or null when it does not exist. */
  async subscribers(queue: string): Promise<number | null> {
    try {
      return await this.probe.consumerCount(queue);
    } catch {
      return null;
    }
  }

  async state(): Promise<WorldState> {
    const [[outbox]] = await this.pool.query<mysql.RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM outbox_events WHERE published_at IS NULL',
    );
    return {
      tasks: await this.tasks(),
      main: await this.depth(this.queues.main),
      retry: await this.retryDepth(),
      dlq: await this.depth(this.queues.dlq),
      unpublished: Number(outbox!.n),
    };
  }

  /**
   * Waits for the end of a run: every one of at least `tasks` tasks finished, the outbox published
   * and the main and retry queues empty (`settled`). A run that cannot end any more (a message
   * lost or parked while its task stays open) is `stalled`: queues and outbox empty and no task
   * changing for `quietMs`. Never throws, so the assertions that follow say what is wrong.
   */
  async settle({
    tasks,
    timeoutMs,
    quietMs = 15_000,
  }: {
    tasks: number;
    timeoutMs: number;
    quietMs?: number;
  }): Promise<Settled> {
    const started = performance.now();
    const seconds = () => Math.round((performance.now() - started) / 100) / 10;
    let signature = '';
    let unchangedSince = started;
    for (;;) {
      const state = await this.state();
      const drained = !state.main && !state.retry && state.unpublished === 0;
      const open = state.tasks.filter((t) => t.status === 'pending' || t.status === 'processing');
      if (drained && state.tasks.length >= tasks && open.length === 0) {
        return { outcome: 'settled', seconds: seconds(), state };
      }
      const now = performance.now();
      const next = JSON.stringify([state.main, state.retry, summarize(state.tasks)]);
      if (next !== signature) [signature, unchangedSince] = [next, now];
      if (drained && now - unchangedSince >= quietMs) {
        return { outcome: 'stalled', seconds: seconds(), state };
      }
      if (now - started >= timeoutMs) return { outcome: 'timed out', seconds: seconds(), state };
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /**
   * Publishes `messages` to the main queue in order, as the relay does (persistent,
   * `application/json`, `messageId`), and resolves once the broker has confirmed every one.
   */
  async publish(messages: RawMessage[]): Promise<void> {
    const connection = await amqplib.connect(this.broker.probeUrl);
    try {
      const channel = await connection.createConfirmChannel();
      for (const { messageId, body } of messages) {
        const content = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
        const options = { persistent: true, contentType: 'application/json', messageId };
        // a full write buffer says to wait: thousands of publishes would otherwise pile up in memory
        if (!channel.sendToQueue(this.queues.main, content, options)) {
          await new Promise((resolve) => channel.once('drain', resolve));
        }
      }
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
  }

  /**
   * Kills the consumers (SIGKILL: what they hold goes back to queues about to be deleted anyway),
   * stops the backends, deletes the queues and drops the database. Each step runs even when an
   * earlier one failed.
   */
  async close(): Promise<void> {
    const steps: Array<() => Promise<unknown> | void> = [
      ...this.fleets.map((fleet) => () => fleet.killAll()),
      ...this.backends.map((backend) => () => backend.stop()),
      async () => {
        // a fresh connection: the test may have left the probe's in any state
        await this.probe.close();
        this.probe = await BrokerProbe.open(this.broker.probeUrl);
        await this.probe.deleteQueues(this.queues, [...this.retryDelays]);
      },
      () => this.probe.close(),
      () => this.pool.end(),
      () => this.dropDatabase(),
    ];
    const errors: unknown[] = [];
    for (const step of steps)
      await Promise.resolve()
        .then(step)
        .catch((e) => errors.push(e));
    process.off('exit', this.killChildren);
    if (errors.length > 0) throw new AggregateError(errors, 'cleaning up the fault world failed');
  }
}
