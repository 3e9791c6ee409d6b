export { migrate, dropDatabase, readMigrations, type Migration } from './migrate.js';
export { createPool, dbSettings, quoteIdentifier, type DbSettings } from './settings.js';
export { createTestDatabase, testDbAccount } from './testing.js';
export { seedScale, type ScaleOptions, type ScaleResult } from './seed-scale.js';
export { withTransaction, type TransactionOptions } from './transaction.js';
export { atStart, probeDatabase } from './startup.js';
