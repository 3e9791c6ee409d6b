import type mysql from 'mysql2/promise';
import { MIGRATIONS_DIR, readMigrations } from './migration-files.js';
import { connectForMigrate } from './migrate.js';
import { quoteIdentifier, type DbSettings } from './settings.js';

export type MigrationState =
  /** Applied, and the file is the one applied. */
  | 'applied'
  /** Applied before checksums were kept: the next migrate records the file's. */
  | 'applied, checksum recorded at next migrate'
  /** Applied, and the file changed since: migrate refuses to run until it is resolved. */
  | 'CHANGED since applied'
  /** Some steps done (a run was stopped): the next migrate finishes it. */
  | 'partly applied'
  | 'pending'
  /** Recorded in the database, but no file of that name. */
  | 'applied, file missing';

export interface MigrationStatusRow {
  version: string;
  state: MigrationState;
  /** SHA-256 of the file (or the recorded one when the file is missing). */
  checksum: string | null;
  appliedAt: Date | null;
  /** Steps done of a partly applied file, and how many it has. */
  steps?: { done: number; total: number };
}

/** Every migration file and every recorded version, with what the database holds of each. */
export async function migrationStatus(
  settings: DbSettings,
  migrationsDir: URL | string = MIGRATIONS_DIR,
): Promise<MigrationStatusRow[]> {
  const migrations = await readMigrations(migrationsDir);
  const connection = await connectForMigrate(settings);
  try {
    const [schemas] = await connection.query<mysql.RowDataPacket[]>(
      'SELECT 1 FROM information_schema.schemata WHERE schema_name = ?',
      [settings.database],
    );
    const applied = new Map<string, mysql.RowDataPacket>();
    const steps = new Map<string, number>();
    if (schemas.length) {
      await connection.query(`USE ${quoteIdentifier(settings.database)}`);
      const [tables] = await connection.query<mysql.RowDataPacket[]>(
        `SELECT table_name AS name FROM information_schema.tables
         WHERE table_schema = DATABASE()
           AND table_name IN ('schema_migrations', 'schema_migration_steps')`,
      );
      const has = (name: string) => tables.some((t) => t.name === name);
      if (has('schema_migrations')) {
        const [columns] = await connection.query<mysql.RowDataPacket[]>(
          `SELECT 1 FROM information_schema.columns WHERE table_schema = DATABASE()
           AND table_name = 'schema_migrations' AND column_name = 'checksum'`,
        );
        const [rows] = await connection.query<mysql.RowDataPacket[]>(
          `SELECT version, applied_at, ${columns.length ? 'checksum' : 'NULL AS checksum'}
           FROM schema_migrations`,
        );
        for (const row of rows) applied.set(row.version as string, row);
      }
      if (has('schema_migration_steps')) {
        const [rows] = await connection.query<mysql.RowDataPacket[]>(
          'SELECT version, COUNT(*) AS n FROM schema_migration_steps GROUP BY version',
        );
        for (const row of rows) steps.set(row.version as string, Number(row.n));
      }
    }
    const status: MigrationStatusRow[] = migrations.map((m) => {
      const row = applied.get(m.version);
      const appliedAt = (row?.applied_at as Date | undefined) ?? null;
      if (row) {
        const state: MigrationState =
          row.checksum === null
            ? 'applied, checksum recorded at next migrate'
            : row.checksum === m.checksum
              ? 'applied'
              : 'CHANGED since applied';
        return { version: m.version, state, checksum: m.checksum, appliedAt };
      }
      const done = steps.get(m.version);
      return done
        ? {
            version: m.version,
            state: 'partly applied',
            checksum: m.checksum,
            appliedAt: null,
            steps: { done, total: m.steps.length },
          }
        : { version: m.version, state: 'pending', checksum: m.checksum, appliedAt: null };
    });
    for (const [version, row] of applied) {
      if (migrations.some((m) => m.version === version)) continue;
      status.push({
        version,
        state: 'applied, file missing',
        checksum: (row.checksum as string | null) ?? null,
        appliedAt: (row.applied_at as Date | null) ?? null,
      });
    }
    return status.sort((a, b) => a.version.localeCompare(b.version));
  } finally {
    await connection.end();
  }
}

/** One line per migration: version, state, checksum, when applied. */
export function formatStatus(rows: MigrationStatusRow[]): string[] {
  const width = Math.max(...rows.map((r) => r.version.length), 7);
  return rows.map((r) => {
    const state = r.steps ? `${r.state} (${r.steps.done}/${r.steps.total} steps)` : r.state;
    const when = r.appliedAt ? r.appliedAt.toISOString() : '';
    return [r.version.padEnd(width), (r.checksum ?? '-').padEnd(64), state.padEnd(44), when]
      .join('  ')
      .trimEnd();
  });
}
