import { randomBytes } from 'node:crypto';
import { type QueueNames, retryTiers } from '@retro/common';
import {
  BrokerProbe,
  DEFAULT_RETRY_DELAY_MS,
  createTestAccounts,
  testQueues,
  type TestAccounts,
} from '@retro/common/testing';
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
 * It is migrated without the first-run step: no `admin`, and no password file written into the
 * repository; a test's operators come from `createTestAccounts` (the first run has tests of
 * its own, database/test/first-run.test.ts).
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
  /** One account per role with a token each: tests sign in as the role they need. */
  accounts: TestAccounts;
  /**
   * Base retry delays (RETRY_DELAY_MS) the test's services run with: the retry tiers of each are
   * deleted with the queues. Add to it when starting a consumer or producer with another base.
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
    retryDelaysMs = [],
  }: {
    queues?: QueueNames;
    /** Base retry delays whose tiers are declared up front too (a consumer's RETRY_DELAY_MS). */
    retryDelaysMs?: number[];
  } = {},
): Promise<TestResources> {
  const database = await createTestDatabase(prefix);
  const sql = createPool(database.settings, 4);
  const accounts = await createTestAccounts(sql);
  const probe = await BrokerProbe.open();
  await probe.declareTopology(queues, { retryTiers: retryDelaysMs.flatMap((b) => retryTiers(b)) });
  const bases = new Set([DEFAULT_RETRY_DELAY_MS, ...retryDelaysMs]);
  return {
    database: database.settings,
    sql,
    queues,
    probe,
    accounts,
    retryDelaysMs: bases,
    async release() {
      await sql.end();
      await probe.deleteQueues(queues, [...bases]).catch(() => undefined);
      await probe.close();
      await database.drop();
    },
  };
}
