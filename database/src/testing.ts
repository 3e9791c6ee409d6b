import { randomBytes } from 'node:crypto';
import { dropDatabase, migrate } from './migrate.js';
import type { DbSettings } from './settings.js';

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
