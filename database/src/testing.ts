import { randomBytes } from 'node:crypto';
import type { QueueNames } from '@retro/common';
import { BrokerProbe, testQueues } from '@retro/common/testing';
import type { Pool } from 'mysql2/promise';
import { dropDatabase, migrate } from './migrate.js';
import { createPool, type DbSettings } from './settings.js';

/**
 * A freshly migrated database of its own for one test file, and the function that drops it.
 * Connection settings come from the DB_* variables with the local defaults.
 */
export async function createTestDatabase(
  prefix: string,
): Promise<{ settings: DbSettings; drop: () => Promise<void> }> {
  const settings: DbSettings = {
    host: process.env.DB_HOST ?? '127.0.0.1',
    port: Number(process.env.DB_PORT ?? 3306),
    user: process.env.DB_USER ?? 'root',
    password: process.env.DB_PASSWORD ?? '',
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
  /** Ends the pool, deletes the queues and drops the database. */
  release(): Promise<void>;
}

/**
 * The isolated resources every service's test environment starts from, so the backend's,
 * consumer's and producer's environments differ only in the service they run.
 */
export async function openTestResources(
  prefix: string,
  { queues = testQueues(prefix) }: { queues?: QueueNames } = {},
): Promise<TestResources> {
  const database = await createTestDatabase(prefix);
  const sql = createPool(database.settings, 4);
  const probe = await BrokerProbe.open();
  await probe.declareTopology(queues);
  return {
    database: database.settings,
    sql,
    queues,
    probe,
    async release() {
      await sql.end();
      await probe.deleteQueues(queues).catch(() => undefined);
      await probe.close();
      await database.drop();
    },
  };
}
