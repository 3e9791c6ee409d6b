import { assertTopology, TASK_STATUSES, type QueueNames, type TaskStatus } from '@retro/common';
import { BrokerProbe, TEST_RABBITMQ_URL, freePort, testQueues } from '@retro/common/testing';
import { createPool } from '@retro/database';
import { createTestDatabase } from '@retro/database/testing';
import amqplib from 'amqplib';
import type mysql from 'mysql2/promise';
import { BackendProcess, ConsumerFleet, RestartableBackend } from './services.js';

/** One processing task as the database holds it. */
export interface TaskRow {
  messageId: string;
  type: 'game' | 'custom';
  gameId: number | null;
  status: TaskStatus;
  attempts: number;
  lastError: string | null;
}

/** Everything a fault test checks at the end, read in one go. */
export interface WorldState {
  tasks: TaskRow[];
  /** Ready messages per queue; null when the queue does not exist. */
  main: number | null;
  retry: number | null;
  dlq: number | null;
  /** Outbox rows the relay has not published yet. */
  unpublished: number;
}

/** How a wait for the end of a run ended; see `FaultWorld.settle`. */
export interface Settled {
  outcome: 'settled' | 'stalled' | 'timed out';
  seconds: number;
  state: WorldState;
}

/** A message published straight to the main queue, as the relay or a tester's tool would. */
export interface RawMessage {
  messageId: string;
  /** An object is sent as JSON; a string as it is (poison can be any bytes). */
  body: unknown;
}

/**
 * One fault test file's world: its own database (migrated) and queues (declared up front, so
 * probing them never races the first service to connect), a pool and a broker probe. Services
 * started through it are torn down by `close()` whatever state the test left them in, and child
 * processes are killed if the test process exits first: a failed or aborted run leaves nothing
 * running and nothing behind on the shared MariaDB and RabbitMQ.
 */
export class FaultWorld {
  private readonly fleets: ConsumerFleet[] = [];
  private readonly backends: Array<BackendProcess | RestartableBackend> = [];
  private readonly killChildren = () => {
    for (const fleet of this.fleets) fleet.killAllNow();
    for (const backend of this.backends) if (backend instanceof BackendProcess) backend.killNow();
  };

  private constructor(
    readonly queues: QueueNames,
    readonly database: string,
    readonly pool: mysql.Pool,
    private probe: BrokerProbe,
    private readonly dropDatabase: () => Promise<void>,
  ) {
    process.on('exit', this.killChildren);
  }

  static async open(prefix: string): Promise<FaultWorld> {
    const queues = testQueues(prefix);
    const database = await createTestDatabase(prefix);
    try {
      const connection = await amqplib.connect(TEST_RABBITMQ_URL);
      try {
        await assertTopology(await connection.createChannel(), queues);
      } finally {
        await connection.close();
      }
      const probe = await BrokerProbe.open();
      const pool = createPool(database.settings, 4);
      return new FaultWorld(queues, database.settings.database, pool, probe, database.drop);
    } catch (error) {
      await database.drop();
      throw error;
    }
  }

  /** Consumer processes on this world's queues with `env` (a consumer's environment). */
  consumers(env: Record<string, string | number>): ConsumerFleet {
    const fleet = new ConsumerFleet(this.queues, env);
    this.fleets.push(fleet);
    return fleet;
  }

  /** The backend in this process, started, with the suite's internal token. */
  async backend(): Promise<RestartableBackend> {
    const backend = new RestartableBackend(this.database, this.queues, await freePort());
    this.backends.push(backend);
    await backend.start();
    return backend;
  }

  /** The backend as a child process on a fixed port, started; it can be killed for real. */
  async backendProcess(): Promise<BackendProcess> {
    const backend = new BackendProcess(this.database, this.queues, await freePort());
    this.backends.push(backend);
    await backend.start();
    return backend;
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
      retry: await this.depth(this.queues.retry),
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
    const connection = await amqplib.connect(TEST_RABBITMQ_URL);
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
        this.probe = await BrokerProbe.open();
        await this.probe.deleteQueues(this.queues);
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

/** Tasks per status, e.g. `{pending: 0, processing: 0, completed: 198, failed: 2}`. */
export function summarize(tasks: TaskRow[]): Record<TaskStatus, number> {
  const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  for (const task of tasks) counts[task.status] += 1;
  return counts;
}

/** One line for failure messages: tasks by status, what waits in each queue, the outbox. */
export function describeState(state: WorldState): string {
  const counts = Object.entries(summarize(state.tasks)).map(([s, n]) => `${s} ${n}`);
  const depth = (n: number | null) => (n === null ? 'missing' : String(n));
  return (
    `tasks (${state.tasks.length}): ${counts.join(', ')}; parked in the DLQ: ${depth(state.dlq)}; ` +
    `main queue ${depth(state.main)}, retry queue ${depth(state.retry)}; ` +
    `outbox unpublished ${state.unpublished}`
  );
}
