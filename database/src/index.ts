export {
  ChecksumMismatchError,
  migrate,
  dropDatabase,
  type Migration,
  type MigrateOptions,
} from './migrate.js';
export { migrationStatus, formatStatus, type MigrationStatusRow } from './migration-status.js';
export { FIRST_OPERATOR, ensureOperator, type FirstOperatorOptions } from './first-operator.js';
export {
  createPool,
  dbSettings,
  migrateSettings,
  type DbSettings,
  type PoolOptions,
} from './settings.js';
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
export {
  indexBodies,
  indexUnindexedDeadLetters,
  searchTrigrams,
  trigramsOf,
  TRIGRAM,
  type IndexedBody,
} from './body-trigrams.js';
export {
  DATABASE_RIGHTS,
  MIGRATE_ONLY_TABLES,
  SERVICE_GRANTS,
  accountName,
  serviceGrantStatements,
  type Right,
  type TableGrant,
} from './grants.js';
export {
  JOURNEY_ROW_LIMIT,
  deleteOrphanJourneys,
  insertJourney,
  journeyInsert,
  readJourney,
  type JourneyRow,
  type StoredJourneyRow,
} from './journey.js';
