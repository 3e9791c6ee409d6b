export { migrate, dropDatabase, type Migration } from './migrate.js';
export { createPool, dbSettings, type DbSettings, type PoolOptions } from './settings.js';
export { seedScale, type ScaleOptions, type ScaleResult } from './seed-scale.js';
export {
  transactionInOneTrip,
  withTransaction,
  type Statement,
  type TransactionOptions,
} from './transaction.js';
