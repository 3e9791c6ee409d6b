export { migrate, dropDatabase, readMigrations, type Migration } from './migrate.js';
export {
  createPool,
  dbSettings,
  quoteIdentifier,
  type DbSettings,
  type PoolOptions,
} from './settings.js';
export { createTestDatabase } from './testing.js';
export { seedScale, type ScaleOptions, type ScaleResult } from './seed-scale.js';
export {
  transactionInOneTrip,
  withTransaction,
  type Statement,
  type TransactionOptions,
} from './transaction.js';
