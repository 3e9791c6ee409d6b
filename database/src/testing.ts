import { randomBytes } from 'node:crypto';
import { dropDatabase, migrate } from './migrate.js';
import type { DbSettings } from './settings.js';

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
