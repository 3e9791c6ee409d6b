import { createLogger, loadConfig, loadDotEnv, startupErrorLine } from '@retro/common';
import { migrate } from './migrate.js';
import { dbSettings } from './settings.js';
import { atStart } from './startup.js';

try {
  loadDotEnv();
  const config = loadConfig([
    'DB_HOST',
    'DB_PORT',
    'DB_USER',
    'DB_PASSWORD',
    'DB_NAME',
    'ADMIN_PASSWORD_FILE',
    'LOG_LEVEL',
  ]);
  const settings = dbSettings(config);
  const logger = createLogger('migrate', config.LOG_LEVEL);
  const applied = await atStart(settings, () =>
    migrate(settings, { firstOperator: { passwordFile: config.ADMIN_PASSWORD_FILE, logger } }),
  );
  logger.info('database is up to date', { database: config.DB_NAME, applied });
} catch (error) {
  process.stderr.write(`${startupErrorLine(error, { service: 'migrate' })}\n`);
  process.exitCode = 1;
}
