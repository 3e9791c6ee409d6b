import { ConfigError, createLogger, loadDotEnv, runUntilSignal } from '@retro/common';
import { dbSettings, migrate } from '@retro/database';
import { loadBackendConfig, startBackend } from './index.js';

const logger = createLogger('backend');
try {
  loadDotEnv();
  const config = loadBackendConfig();
  const applied = await migrate(dbSettings(config));
  if (applied.length) logger.info('migrations applied', { applied });
  const backend = await startBackend();
  runUntilSignal(logger, backend.stop);
} catch (error) {
  logger.error(error instanceof ConfigError ? error.message : 'backend failed to start', { error });
  process.exit(1);
}
