import { ConfigError, createLogger, loadConfig, loadDotEnv } from '@retro/common';
import { migrate } from './migrate.js';
import { dbSettings } from './settings.js';

const logger = createLogger('migrate');
try {
  loadDotEnv();
  const config = loadConfig(['DB_HOST', 'DB_PORT', 'DB_USER', 'DB_PASSWORD', 'DB_NAME']);
  const applied = await migrate(dbSettings(config));
  logger.info('database is up to date', { database: config.DB_NAME, applied });
} catch (error) {
  logger.error(error instanceof ConfigError ? error.message : 'migration failed', { error });
  process.exitCode = 1;
}
