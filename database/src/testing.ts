import { randomBytes } from 'node:crypto';
import { retryTiers, type QueueNames } from '@retro/common';
import { BrokerProbe, DEFAULT_RETRY_DELAY_MS, testQueues } from '@retro/common/testing';
import type { Pool } from 'mysql2/promise';
import { dropDatabase, migrate } from './migrate.js';
import { createPool, type DbSettings } from './settings.js';

/**
 * The account tests connect with: the DB_* variables (the environment, or `.env`, which the test
 * setup reads, where `npm run setup` writes its development user), else the local defaults.
 */
export function testDbAccount(): Omit<DbSettings, 'database'> {
  return {
    host: process.env.DB_HOST || '127.0.0.1',
    port: Number(process.env.DB_PORT || 3306),
    user: process.env.DB_USER || 'root',
    password: process.env.DB_PASSWORD ?? '',
  };
}

/**
 * A freshly migrated database of its own for one test file, and the function that drops it.
 * Its name starts with `test_`: the development user `npm run setup` makes may create those.
 */
export async function createTestDatabase(
  prefix: string,
): Promise<{ settings: DbSettings; drop: () => Promise<void> }> {
  const settings: DbSettings = {
    ...testDbAccount(),
    database: `test_${prefix}_${randomBytes(4).toString('hex')}`,
  };
  await migrate(settings);
  return { settings, drop: () => dropDatabase(settings) };
}

/** What one test file owns: a migrated database, a pool on it, declared queues and a broker probe. */
export interface TestResources {
  database: DbSettings;
  /** A pool of the test's own, for assertions straight against the tables. */
  sql: Pool;
  queues: QueueNames;
  probe: BrokerProbe;
  /**
   * The base retry delays (RETRY_DELAY_MS) the test's services run with: their retry tiers are
   * declared up front and deleted at the end. A test adds the delays it starts services with.
   */
  retryDelaysMs: Set<number>;
  /** Ends the pool, deletes the queues (retry tiers included) and drops the database. */
  release(): Promise<void>;
}

/**
 * The isolated resources every service's test environment starts from, so the backend's,
 * consumer's and producer's environments differ only in the service they run.
 */
export async function openTestResources(
  prefix: string,
  {
    queues = testQueues(prefix),
    retryDelaysMs = [DEFAULT_RETRY_DELAY_MS],
  }: { queues?: QueueNames; retryDelaysMs?: readonly number[] } = {},
): Promise<TestResources> {
  const database = await createTestDatabase(prefix);
  const sql = createPool(database.settings, 4);
  const probe = await BrokerProbe.open();
  const delays = new Set(retryDelaysMs);
  await probe.declareTopology(queues, { retryTiers: [...delays].flatMap((d) => retryTiers(d)) });
  return {
    database: database.settings,
    sql,
    queues,
    probe,
    retryDelaysMs: delays,
    async release() {
      await sql.end();
      await probe.deleteQueues(queues, [...delays]).catch(() => undefined);
      await probe.close();
      await database.drop();
    },
  };
}
