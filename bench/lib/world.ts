import { startBackend } from '@retro/backend';
import { assertTopology, type QueueNames } from '@retro/common';
import {
  BrokerProbe,
  TEST_RABBITMQ_URL,
  createTestAccounts,
  testQueues,
  type TestAccounts,
} from '@retro/common/testing';
import { createPool, type DbSettings } from '@retro/database';
import { createTestDatabase } from '@retro/database/testing';
import amqplib from 'amqplib';
import type mysql from 'mysql2/promise';
import type { CpuMeter } from './cpu.js';
import { round, until } from './load.js';

export const BENCH_TOKEN = 'bench-internal-token-0123456789';

/**
 * One scenario's own database and queues (declared up front), a pool for direct reads and a
 * broker probe; `cleanup()` drops all of it.
 */
export interface World {
  settings: DbSettings;
  queues: QueueNames;
  pool: mysql.Pool;
  probe: BrokerProbe;
  /** One account per role: the load creates games as the editor, with its personal token. */
  accounts: TestAccounts;
  cleanup(): Promise<void>;
}

/** The backend in this process on the world's database and queues, with no rate limit. */
export function startWorldBackend(world: World) {
  return startBackend({
    queues: world.queues,
    rateLimitPerMinute: 100_000_000,
    config: {
      DB_NAME: world.settings.database,
      BACKEND_PORT: 0,
      INTERNAL_API_TOKEN: BENCH_TOKEN,
      LOG_LEVEL: 'warn',
    },
  });
}

export async function createWorld(prefix: string): Promise<World> {
  const database = await createTestDatabase(`bench_${prefix}`);
  const queues = testQueues(`bench_${prefix}`);
  await declareTopology(queues);
  const pool = createPool(database.settings, 4);
  const accounts = await createTestAccounts(pool);
  const probe = await BrokerProbe.open();
  return {
    settings: database.settings,
    queues,
    pool,
    probe,
    accounts,
    async cleanup() {
      await probe.deleteQueues(queues).catch(() => undefined);
      await probe.close();
      await pool.end().catch(() => undefined);
      await database.drop();
    },
  };
}

export async function declareTopology(queues: QueueNames): Promise<void> {
  const connection = await amqplib.connect(TEST_RABBITMQ_URL);
  try {
    await assertTopology(await connection.createChannel(), queues);
  } finally {
    await connection.close();
  }
}

/** Tasks per status, read straight from the database (cheap: the status column is indexed). */
export async function countCompleted(pool: mysql.Pool): Promise<number> {
  const [rows] = await pool.query<mysql.RowDataPacket[]>(
    "SELECT COUNT(*) AS n FROM processing_tasks WHERE status = 'completed'",
  );
  return Number(rows[0]!.n);
}

/** A timed run: events per second until every event's task was completed, and CPU per event. */
export interface TimedRun {
  events: number;
  seconds: number;
  eventsPerSec: number;
  /** CPU milliseconds per event of each process measured. */
  cpuMsPerEvent: Record<string, number>;
}

/**
 * Runs `load`, then waits until `events` more tasks are completed than before it began; the clock
 * (and `cpu`, when given) runs from the start of the load until then.
 */
export async function timeUntilCompleted(
  pool: mysql.Pool,
  events: number,
  load: () => Promise<void>,
  { cpu, intervalMs = 50 }: { cpu?: () => CpuMeter; intervalMs?: number } = {},
): Promise<TimedRun> {
  const seed = await countCompleted(pool);
  const meter = cpu?.();
  const started = performance.now();
  await load();
  await until(
    'every task to be completed',
    async () => (await countCompleted(pool)) - seed >= events,
    { timeoutMs: 600_000, intervalMs },
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    events,
    seconds: round(seconds, 2),
    eventsPerSec: round(events / seconds),
    cpuMsPerEvent: meter?.perEvent(events) ?? {},
  };
}
