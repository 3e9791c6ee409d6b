export { migrate, dropDatabase, type Migration } from './migrate.js';
export { createPool, dbSettings, type DbSettings, type PoolOptions } from './settings.js';
export { seedScale, type ScaleOptions, type ScaleResult } from './seed-scale.js';
export {
  transactionInOneTrip,
  valueOrVariable,
  withTransaction,
  type SessionVariable,
  type Statement,
  type TransactionOptions,
} from './transaction.js';
export {
  indexUnindexedGames,
  gameTermsStatement,
  gameTermsReplacement,
  insertGameTerms,
  replaceGameTerms,
  termRows,
  type IndexedGame,
} from './search-index.js';
export { reconcileCounts, type CounterTable } from './counts.js';
export { atStart, probeDatabase } from './startup.js';
