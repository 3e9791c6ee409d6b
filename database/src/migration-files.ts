import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { classify, type Statement } from './migration-guards.js';
import { splitStatements } from './sql-statements.js';

export const MIGRATIONS_DIR = new URL('../migrations/', import.meta.url);

/**
 * One unit of progress: the statements that run and are recorded together. Session statements
 * (SET @v, PREPARE, DEALLOCATE) change nothing stored, so they join the statement that uses
 * them: a step resumed after a stop sets its variables again.
 */
export interface Step {
  statements: Statement[];
}

export interface Migration {
  /** The file name without `.sql`, e.g. `013_drop_thumbnail_url`. */
  version: string;
  file: string;
  sql: string;
  /** SHA-256 of the file's bytes, hex. */
  checksum: string;
  steps: Step[];
}

/** The steps of a migration file, in order. */
export function stepsOf(sql: string): Step[] {
  const steps: Step[] = [];
  let waiting: Statement[] = [];
  for (const text of splitStatements(sql)) {
    const statement = classify(text);
    waiting.push(statement);
    if (statement.kind !== 'session') {
      steps.push({ statements: waiting });
      waiting = [];
    }
  }
  // session statements after the last change (DEALLOCATE, SET @v = NULL) close that step
  if (waiting.length) {
    if (steps.length) steps.at(-1)!.statements.push(...waiting);
    else steps.push({ statements: waiting });
  }
  return steps;
}

export const checksumOf = (bytes: Buffer | string) =>
  createHash('sha256').update(bytes).digest('hex');

/** Every `NNN_name.sql` of `dir`, in order of their names. */
export async function readMigrations(dir: URL | string = MIGRATIONS_DIR): Promise<Migration[]> {
  const base = typeof dir === 'string' ? pathToFileURL(dir.replace(/\/?$/, '/')) : dir;
  const files = (await readdir(base)).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const bytes = await readFile(new URL(file, base));
      const sql = bytes.toString('utf8');
      return {
        version: file.replace(/\.sql$/, ''),
        file,
        sql,
        checksum: checksumOf(bytes),
        steps: stepsOf(sql),
      };
    }),
  );
}

/** An applied migration whose file changed since: the database may not match the file. */
export class ChecksumMismatchError extends Error {
  constructor(readonly files: string[]) {
    super(
      `${files.join(', ')} changed after ${files.length > 1 ? 'they were' : 'it was'} applied ` +
        '(its SHA-256 differs from the one recorded). Restore the file, or, when the database ' +
        'already has what the file now says, accept it: `npm run migrate -- --accept-checksum ' +
        `${files[0]}\` (docs/database.md, "Status and checksums")`,
    );
    this.name = 'ChecksumMismatchError';
  }
}
