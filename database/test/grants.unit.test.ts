import { readFileSync, readdirSync } from 'node:fs';
import { expect } from 'chai';
import { DATABASE_RIGHTS, MIGRATE_ONLY_TABLES, SERVICE_GRANTS } from '../src/grants.js';
import { stepsOf } from '../src/migration-files.js';

const MIGRATIONS = new URL('../migrations/', import.meta.url);
const SETUP = new URL('../../scripts/setup.mjs', import.meta.url);
const SECURITY_DOC = new URL('../../docs/security.md', import.meta.url);

/** Every table a migration creates and no later one drops. */
function migratedTables(): string[] {
  const tables = new Set<string>();
  for (const file of readdirSync(MIGRATIONS)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    for (const step of stepsOf(readFileSync(new URL(file, MIGRATIONS), 'utf8'))) {
      for (const statement of step.statements) {
        if (statement.kind !== 'schema') continue;
        for (const c of statement.clauses.flatMap((clause) => clause.done)) {
          if (c.object !== 'table') continue;
          if (c.exists) tables.add(c.name);
          else tables.delete(c.name);
        }
      }
    }
  }
  return [...tables].sort();
}

describe("the services' database rights", () => {
  it('every table the migrations make has its rights listed (database/src/grants.ts), or is the migrate step\u2019s own', () => {
    const listed = [...SERVICE_GRANTS.map((g) => g.table), ...MIGRATE_ONLY_TABLES];
    expect(migratedTables().filter((t) => !listed.includes(t))).to.deep.equal([]);
  });

  it('the database-wide grant is exactly what the tables need together, and setup gives that', () => {
    const union = [...new Set(SERVICE_GRANTS.flatMap((g) => g.rights))].sort();
    expect([...DATABASE_RIGHTS].sort()).to.deep.equal(union);
    const setup = readFileSync(SETUP, 'utf8');
    expect(setup).to.contain(`const SERVICE_RIGHTS = '${DATABASE_RIGHTS.join(', ')}';`);
  });

  it('docs/security.md lists each table with its rights', () => {
    const doc = readFileSync(SECURITY_DOC, 'utf8');
    for (const grant of SERVICE_GRANTS) {
      expect(doc, grant.table).to.match(
        new RegExp(`\\| \`${grant.table}\` +\\| ${grant.rights.join(', ')} +\\|`),
      );
    }
  });
});
