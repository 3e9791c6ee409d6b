// `npm run migrate`: applies the migrations (as DB_MIGRATE_USER, else DB_USER).
//   npm run migrate -- --status                 lists applied and pending migrations, checksums
//   npm run migrate -- --accept-checksum FILE   records the new checksum of an applied file that
//                                               was edited on purpose (docs/database.md)
//   npm run migrate -- --print-grants USER@HOST the services' account's grants, table by table
//                                               (docs/security.md, "Database accounts")
import { parseArgs } from 'node:util';
import { createLogger, loadConfig, loadDotEnv, startupErrorLine } from '@retro/common';
import { accountName, serviceGrantStatements } from './grants.js';
import { migrate } from './migrate.js';
import { formatStatus, migrationStatus } from './migration-status.js';
import { MIGRATE_CONFIG_KEYS, migrateSettings } from './settings.js';
import { atStart } from './startup.js';

try {
  const { values: args } = parseArgs({
    options: {
      status: { type: 'boolean', default: false },
      'accept-checksum': { type: 'string', multiple: true, default: [] },
      'print-grants': { type: 'string' },
    },
  });
  loadDotEnv();
  const config = loadConfig([...MIGRATE_CONFIG_KEYS, 'ADMIN_PASSWORD_FILE', 'LOG_LEVEL']);
  const settings = migrateSettings(config);
  if (args['print-grants'] !== undefined) {
    const [user, host = '%'] = args['print-grants'].split('@');
    const account = accountName(user ?? '', host);
    const statements = serviceGrantStatements(config.DB_NAME, account);
    process.stdout.write(`${statements.map((s) => `${s};`).join('\n')}\n`);
  } else if (args.status) {
    const rows = await atStart(settings, () => migrationStatus(settings));
    process.stdout.write(`${formatStatus(rows).join('\n')}\n`);
    if (rows.some((r) => r.state === 'CHANGED since applied')) process.exitCode = 1;
  } else {
    const logger = createLogger('migrate', config.LOG_LEVEL);
    const applied = await atStart(settings, () =>
      migrate(settings, {
        firstOperator: { passwordFile: config.ADMIN_PASSWORD_FILE, logger },
        acceptChecksums: args['accept-checksum'],
      }),
    );
    logger.info('database is up to date', { database: config.DB_NAME, applied });
  }
} catch (error) {
  process.stderr.write(`${startupErrorLine(error, { service: 'migrate' })}\n`);
  process.exitCode = 1;
}
