export { migrate, dropDatabase, type Migration } from './migrate.js';
export { createPool, dbSettings, type DbSettings } from './settings.js';
export { seedScale, type ScaleOptions, type ScaleResult } from './seed-scale.js';
export { withTransaction, type TransactionOptions } from './transaction.js';
