// npm run seed:scale -- --games 100000 --tasks 1000000 [--seed 1]
// Adds that many games and processing tasks to the database named by DB_NAME (migrating it first).
import { parseArgs } from 'node:util';
import { ConfigError, createLogger, loadConfig, loadDotEnv } from '@retro/common';
import { seedScale } from './seed-scale.js';
import { MIGRATE_CONFIG_KEYS, migrateSettings } from './settings.js';

const logger = createLogger('seed-scale');
try {
  loadDotEnv();
  const { values } = parseArgs({
    options: {
      games: { type: 'string', default: '100000' },
      tasks: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '1' },
    },
  });
  const count = (name: 'games' | 'tasks' | 'seed') => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 1)
      throw new ConfigError([`--${name}: must be a positive integer`]);
    return n;
  };
  const config = loadConfig(MIGRATE_CONFIG_KEYS);
  // migrates first and loads in bulk past the counters' triggers: the migrate step's account
  const result = await seedScale(migrateSettings(config), {
    games: count('games'),
    tasks: count('tasks'),
    seed: count('seed'),
    log: (message) => logger.info(message),
  });
  logger.info('seeded', { database: config.DB_NAME, ...result });
} catch (error) {
  logger.error(error instanceof ConfigError ? error.message : 'seeding failed', { error });
  process.exitCode = 1;
}
