import { probeBroker, runService } from '@retro/common';
import { atStart, migrateSettings, migrate } from '@retro/database';
import { loadBackendConfig, startBackend } from './index.js';

await runService({
  name: 'backend',
  portVariable: 'BACKEND_PORT',
  loadConfig: () => loadBackendConfig(),
  async prepare(config, logger) {
    // the migrate step's own account (DDL); the service itself runs as DB_USER
    const settings = migrateSettings(config);
    const applied = await atStart(settings, () =>
      migrate(settings, { firstOperator: { passwordFile: config.ADMIN_PASSWORD_FILE, logger } }),
    );
    if (applied.length) logger.info('migrations applied', { applied });
    await probeBroker(config.RABBITMQ_URL);
  },
  start: (config, logger) => startBackend({ settings: config, logger }),
});
