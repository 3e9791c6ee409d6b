import { readFileSync, readdirSync } from 'node:fs';
import { expect } from 'chai';
import { classify } from '../src/migration-guards.js';
import { stepsOf } from '../src/migration-files.js';
import { splitStatements } from '../src/sql-statements.js';

const MIGRATIONS = new URL('../migrations/', import.meta.url);

describe('migration steps', () => {
  it('cuts at semicolons outside comments, quotes and trigger bodies', () => {
    const sql = [
      "-- one; still a comment\nINSERT INTO t VALUES ('a;b');",
      'CREATE TRIGGER a AFTER INSERT ON t FOR EACH ROW',
      '  IF @x IS NULL THEN INSERT INTO u VALUES (1); END IF;',
      'CREATE TRIGGER b AFTER UPDATE ON t FOR EACH ROW BEGIN',
      '  IF NEW.a <> OLD.a THEN SET @y = IF(NEW.a > 1, 1, 2); INSERT INTO u VALUES (@y); END IF;',
      '  CASE WHEN NEW.a = 1 THEN SET @z = 1; ELSE SET @z = 2; END CASE;',
      'END;',
      '/* trailing; comment */',
    ].join('\n');
    const statements = splitStatements(sql);
    expect(statements).to.have.length(3);
    expect(statements[0]).to.match(/^-- one; still a comment\nINSERT INTO t VALUES \('a;b'\)$/);
    expect(statements[1]).to.match(/^CREATE TRIGGER a .* END IF$/s);
    expect(statements[2]).to.match(/^CREATE TRIGGER b .*END CASE;\nEND$/s);
  });

  it('joins SET, PREPARE and DEALLOCATE to the statement that uses them', () => {
    const steps = stepsOf(
      "SET @s = 'DO 0'; PREPARE p FROM @s; EXECUTE p; DEALLOCATE PREPARE p; SET @s = NULL; CREATE TABLE t (a INT);",
    );
    expect(steps.map((s) => s.statements.map((x) => x.kind))).to.deep.equal([
      ['session', 'session', 'dynamic'],
      ['session', 'session', 'schema'],
    ]);
  });

  it('looks each clause of an ALTER TABLE up on its own', () => {
    const statement = classify(
      'ALTER TABLE `games` ADD COLUMN a INT, ADD UNIQUE KEY uq_a (a), DROP KEY old_key, DROP COLUMN b, ALGORITHM=INPLACE',
    );
    expect(statement.kind).to.equal('schema');
    if (statement.kind !== 'schema') return;
    expect(statement.clauses.map((c) => c.done)).to.deep.equal([
      [{ object: 'column', table: 'games', name: 'a', exists: true }],
      [{ object: 'index', table: 'games', name: 'uq_a', exists: true }],
      [{ object: 'index', table: 'games', name: 'old_key', exists: false }],
      [{ object: 'column', table: 'games', name: 'b', exists: false }],
      [],
    ]);
  });

  for (const [sql, done] of [
    ['CREATE TABLE IF NOT EXISTS t (a INT)', 'table t exists'],
    ['CREATE UNIQUE INDEX i ON t (a)', 'index i exists'],
    [
      "CREATE DEFINER = 'u'@'%' TRIGGER g AFTER INSERT ON t FOR EACH ROW SET @a = 1",
      'trigger g exists',
    ],
    ['DROP TABLE IF EXISTS a, b', 'table a gone, table b gone'],
    ['DROP INDEX i ON t', 'index i gone'],
    ['RENAME TABLE a TO b', 'table a gone, table b exists'],
  ]) {
    it(`knows when "${sql}" is done: ${done}`, () => {
      const statement = classify(sql!);
      expect(statement.kind).to.equal('schema');
      if (statement.kind !== 'schema') return;
      const described = statement.clauses
        .flatMap((c) => c.done)
        .map((c) => `${c.object} ${c.name} ${c.exists ? 'exists' : 'gone'}`)
        .join(', ');
      expect(described).to.equal(done);
    });
  }

  it('every statement of every migration is a step the runner can resume: no unguarded DDL', () => {
    const unguarded = readdirSync(MIGRATIONS)
      .filter((f) => f.endsWith('.sql'))
      .flatMap((file) =>
        stepsOf(readFileSync(new URL(file, MIGRATIONS), 'utf8'))
          .flatMap((s) => s.statements)
          .filter((s) => s.kind === 'unguarded')
          .map((s) => `${file}: ${s.sql.split('\n').find((l) => !l.startsWith('--'))}`),
      );
    expect(
      unguarded,
      'statements the runner cannot look up in information_schema (docs/database.md, "Migrations")',
    ).to.deep.equal([]);
  });
});
