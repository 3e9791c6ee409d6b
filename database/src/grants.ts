// The rights of the services' database account, table by table (docs/security.md, "Database
// accounts"). The migrate step's own account (DB_MIGRATE_USER) makes and changes the tables; the
// services' account (DB_USER) reads and writes rows, nothing else: no CREATE, ALTER, DROP, INDEX,
// TRIGGER, no rights on other databases. Triggers run with the rights of the account that
// created them (the migrate step's), so the counter tables need none for the triggers' writes.

export type Right = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

export interface TableGrant {
  table: string;
  rights: Right[];
  /** Which service uses them, and for what. */
  why: string;
}

const ALL_ROWS: Right[] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];

export const SERVICE_GRANTS: TableGrant[] = [
  { table: 'platforms', rights: ['SELECT'], why: 'backend: the catalog names and filters' },
  { table: 'genres', rights: ['SELECT'], why: 'backend: the catalog names and filters' },
  { table: 'games', rights: ALL_ROWS, why: 'backend: the catalog API and status writes' },
  {
    table: 'game_search_terms',
    rights: ['SELECT', 'INSERT', 'DELETE'],
    why: "backend: search; a game's words replaced with the game",
  },
  {
    table: 'game_counts',
    rights: ALL_ROWS,
    why: 'backend: totals; housekeeping folds closed connections\u2019 slots into slot 0',
  },
  {
    table: 'task_counts',
    rights: ALL_ROWS,
    why: 'backend: task counts; housekeeping folds closed connections\u2019 slots into slot 0',
  },
  {
    table: 'outbox_events',
    rights: ALL_ROWS,
    why: 'backend: written with each change, marked by the relay, pruned by housekeeping',
  },
  {
    table: 'processing_tasks',
    rights: ALL_ROWS,
    why: 'backend: tasks created, their status set, pruned by housekeeping',
  },
  {
    table: 'task_journey',
    rights: ['SELECT', 'INSERT', 'DELETE'],
    why: 'all: each service records its steps with a message; housekeeping prunes them with the task',
  },
  {
    table: 'dead_letters',
    rights: ALL_ROWS,
    why: 'producer: the archive, console edits, soft delete and purge; backend: reads it for the dead-letter alert and to fail the tasks the broker dead-lettered',
  },
  {
    table: 'dead_letter_groups',
    rights: ALL_ROWS,
    why: 'producer: group counts kept with the archive',
  },
  {
    table: 'dead_letter_trigrams',
    rights: ['SELECT', 'INSERT', 'DELETE'],
    why: "producer: the body search's trigram index, written with the archive",
  },
  {
    table: 'dead_letter_quarantine',
    rights: ['SELECT', 'INSERT', 'DELETE'],
    why: 'producer: records the archive refused; DELETE for their retention',
  },
  {
    table: 'dead_letter_audit',
    rights: ALL_ROWS,
    why: "producer: the console's audit, a replay job's outcome; DELETE for retention",
  },
  {
    table: 'dead_letter_audit_items',
    rights: ['SELECT', 'INSERT', 'DELETE'],
    why: 'producer: the rows each audited action touched; DELETE for retention',
  },
  {
    table: 'accounts',
    rights: ['SELECT', 'INSERT', 'UPDATE'],
    why: 'both: sign-in; `npm run users` and the first operator (accounts are disabled, never deleted)',
  },
  {
    table: 'account_tokens',
    rights: ['SELECT', 'INSERT', 'UPDATE'],
    why: 'both: token sign-in and last use; revoked by an UPDATE',
  },
  {
    table: 'sessions',
    rights: ALL_ROWS,
    why: 'both: browser sessions, their last use, sign-out and pruning',
  },
  {
    table: 'sign_in_failures',
    rights: ALL_ROWS,
    why: 'both: sign-in throttling windows',
  },
  {
    table: 'audit_log',
    rights: ['SELECT', 'INSERT', 'DELETE'],
    why: 'both: the audit trail, read by operators; DELETE for its retention',
  },
  {
    table: 'alerts',
    rights: ['SELECT', 'INSERT', 'UPDATE'],
    why: 'backend: built-in alerts raised, resolved, acknowledged and snoozed',
  },
  {
    table: 'alert_lease',
    rights: ['SELECT', 'UPDATE'],
    why: 'backend: which replica evaluates the alert rules',
  },
  {
    table: 'alert_notifications',
    rights: ['SELECT', 'INSERT', 'UPDATE'],
    why: 'backend: alert webhooks still to deliver, marked when delivered',
  },
];

/** Tables only the migrate step touches. */
export const MIGRATE_ONLY_TABLES = ['schema_migrations', 'schema_migration_steps'];

/**
 * The rights `npm run setup` and the containers give the services' account on the whole catalog
 * database: the union of SERVICE_GRANTS. A grant on a table needs the table to exist, and the
 * account must keep working when a later migration adds one; per-table grants
 * (`serviceGrantStatements`) narrow it further once the schema is there.
 */
export const DATABASE_RIGHTS: Right[] = ALL_ROWS;

/** `'user'@'host'`, for the statements below; names of letters, digits, _ . % - only. */
export function accountName(user: string, host: string): string {
  if (!/^[A-Za-z0-9_.%:-]{1,80}$/.test(user) || !/^[A-Za-z0-9_.%:-]{1,255}$/.test(host)) {
    throw new Error(`invalid account: ${user}@${host}`);
  }
  return `'${user}'@'${host}'`;
}

/**
 * One GRANT per table of SERVICE_GRANTS, on `database`; only those of `tables` when given (a
 * grant on a table needs the table: a database migrated to an earlier version has fewer).
 */
export function serviceGrantStatements(
  database: string,
  account: string,
  tables?: readonly string[],
): string[] {
  if (!/^[A-Za-z0-9_]{1,64}$/.test(database)) throw new Error(`invalid database: ${database}`);
  return SERVICE_GRANTS.filter((g) => !tables || tables.includes(g.table)).map(
    (g) => `GRANT ${g.rights.join(', ')} ON \`${database}\`.\`${g.table}\` TO ${account}`,
  );
}
