import { readFileSync, readdirSync } from 'node:fs';
import { expect } from 'chai';
import { blankCommentsAndQuotes, describeProblem, mariadbOnlySyntax } from '../src/portable-sql.js';

const MIGRATIONS = new URL('../migrations/', import.meta.url);

/** `line: CONSTRUCT` of every problem found in `sql`. */
const found = (sql: string) =>
  mariadbOnlySyntax(sql, 'x.sql').map((p) => `${p.line}: ${p.construct}`);

describe('migration syntax (MariaDB and MySQL 8 alike)', () => {
  const files = readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql'));

  it('finds the migrations', () => {
    expect(files).to.include('001_catalog.sql').and.to.include('013_drop_thumbnail_url.sql');
  });

  it('every migration uses only syntax MySQL 8 accepts too', () => {
    const problems = files.flatMap((file) =>
      mariadbOnlySyntax(readFileSync(new URL(file, MIGRATIONS), 'utf8'), file),
    );
    expect(problems.map(describeProblem)).to.deep.equal([]);
  });

  it('when given the first version of 013, then it names the file, the line and DROP COLUMN IF EXISTS', () => {
    const first013 = [
      '-- `thumbnail_url` came with the original catalog and was never read or written by any service:',
      '-- `image_url` is the one picture a game has. MariaDB drops a column in place (no table rebuild).',
      'ALTER TABLE games DROP COLUMN IF EXISTS thumbnail_url;',
      '',
    ].join('\n');
    expect(
      mariadbOnlySyntax(first013, '013_drop_thumbnail_url.sql').map(describeProblem),
    ).to.deep.equal([
      '013_drop_thumbnail_url.sql:3: DROP COLUMN IF EXISTS is MariaDB-only (MySQL 8 rejects it); ' +
        'instead: look the object up in information_schema and run the statement through ' +
        'PREPARE/EXECUTE (as migration 013 does)',
    ]);
  });

  describe('finds each MariaDB-only construct', () => {
    const cases: [string, string][] = [
      ['ALTER TABLE t DROP COLUMN IF EXISTS c', 'DROP COLUMN IF EXISTS'],
      ['ALTER TABLE t DROP IF EXISTS c', 'DROP IF EXISTS'],
      ['ALTER TABLE t DROP INDEX IF EXISTS i', 'DROP INDEX IF EXISTS'],
      ['DROP INDEX IF EXISTS i ON t', 'DROP INDEX IF EXISTS'],
      ['ALTER TABLE t DROP KEY IF EXISTS i', 'DROP KEY IF EXISTS'],
      ['ALTER TABLE t DROP CONSTRAINT IF EXISTS fk', 'DROP CONSTRAINT IF EXISTS'],
      ['ALTER TABLE t DROP FOREIGN KEY IF EXISTS fk', 'DROP FOREIGN KEY IF EXISTS'],
      ['ALTER TABLE t DROP PARTITION IF EXISTS p0', 'DROP PARTITION IF EXISTS'],
      ['ALTER TABLE t ADD COLUMN IF NOT EXISTS c INT', 'ADD COLUMN IF NOT EXISTS'],
      ['ALTER TABLE t ADD IF NOT EXISTS c INT', 'ADD IF NOT EXISTS'],
      ['ALTER TABLE t ADD INDEX IF NOT EXISTS i (c)', 'ADD INDEX IF NOT EXISTS'],
      ['ALTER TABLE t ADD KEY IF NOT EXISTS i (c)', 'ADD KEY IF NOT EXISTS'],
      ['ALTER TABLE t ADD UNIQUE KEY IF NOT EXISTS u (c)', 'ADD UNIQUE KEY IF NOT EXISTS'],
      [
        'ALTER TABLE t ADD FOREIGN KEY IF NOT EXISTS (c) REFERENCES p (id)',
        'ADD FOREIGN KEY IF NOT EXISTS',
      ],
      ['CREATE INDEX IF NOT EXISTS i ON t (c)', 'CREATE INDEX IF NOT EXISTS'],
      ['CREATE UNIQUE INDEX IF NOT EXISTS i ON t (c)', 'CREATE UNIQUE INDEX IF NOT EXISTS'],
      ['ALTER TABLE t MODIFY COLUMN IF EXISTS c BIGINT', 'MODIFY COLUMN IF EXISTS'],
      ['ALTER TABLE t MODIFY IF EXISTS c BIGINT', 'MODIFY IF EXISTS'],
      ['ALTER TABLE t CHANGE COLUMN IF EXISTS c d INT', 'CHANGE COLUMN IF EXISTS'],
      ['INSERT INTO t (c) VALUES (1) RETURNING id', 'RETURNING'],
      ['DELETE FROM t WHERE c = 1 RETURNING id, c', 'RETURNING'],
      ['CREATE OR REPLACE TABLE t (id INT)', 'CREATE OR REPLACE TABLE'],
      [
        'CREATE OR REPLACE TRIGGER tr AFTER INSERT ON t FOR EACH ROW DO 0',
        'CREATE OR REPLACE TRIGGER',
      ],
      ['CREATE OR REPLACE INDEX i ON t (c)', 'CREATE OR REPLACE INDEX'],
      ['CREATE VIEW IF NOT EXISTS v AS SELECT 1', 'CREATE VIEW IF NOT EXISTS'],
      ['CREATE SEQUENCE s START WITH 1', 'CREATE SEQUENCE'],
      ['DROP SEQUENCE s', 'DROP SEQUENCE'],
      ['SELECT NEXTVAL(s)', 'NEXTVAL'],
      ['SELECT nextval (s)', 'NEXTVAL'],
      ['SELECT LASTVAL(s)', 'LASTVAL'],
      ['INSERT INTO t (id) VALUES (NEXT VALUE FOR s)', 'NEXT VALUE FOR'],
      ['SELECT PREVIOUS VALUE FOR s', 'PREVIOUS VALUE FOR'],
      ['ALTER TABLE t ADD COLUMN c INT, ALGORITHM=NOCOPY', 'ALGORITHM=NOCOPY'],
      ['ALTER TABLE t ADD COLUMN c INT, ALGORITHM = NOCOPY', 'ALGORITHM = NOCOPY'],
      ['CREATE TABLE t (id INT) WITH SYSTEM VERSIONING', 'WITH SYSTEM VERSIONING'],
    ];
    for (const [sql, construct] of cases) {
      it(`${construct} in: ${sql}`, () => {
        expect(found(sql)).to.deep.equal([`1: ${construct}`]);
      });
    }

    it('in any case and spread over lines, on the line where it starts', () => {
      expect(found('SELECT 1;\n\nalter table t\n  drop column\n  if   exists c;')).to.deep.equal([
        '4: DROP COLUMN IF EXISTS',
      ]);
    });

    it('inside /*! … */, which MySQL runs too', () => {
      expect(found('/*!50700 ALTER TABLE t DROP COLUMN IF EXISTS c */;')).to.deep.equal([
        '1: DROP COLUMN IF EXISTS',
      ]);
    });
  });

  describe('leaves portable SQL alone', () => {
    const portable: [string, string][] = [
      [
        'DROP TABLE IF EXISTS',
        'DROP TABLE IF EXISTS t; DROP TRIGGER IF EXISTS tr; DROP VIEW IF EXISTS v',
      ],
      ['CREATE TABLE IF NOT EXISTS', 'CREATE TABLE IF NOT EXISTS t (id INT)'],
      ['CREATE OR REPLACE VIEW', 'CREATE OR REPLACE VIEW v AS SELECT 1'],
      [
        'CREATE OR REPLACE VIEW with options',
        "CREATE OR REPLACE ALGORITHM = MERGE DEFINER = 'app'@'%' SQL SECURITY INVOKER VIEW v AS SELECT 1",
      ],
      [
        'MySQL’s JSON_VALUE … RETURNING',
        "SELECT JSON_VALUE(j, '$.n' RETURNING DECIMAL(6, 2)) FROM t",
      ],
      ['ALGORITHM=INSTANT', 'ALTER TABLE t DROP COLUMN c, ALGORITHM=INSTANT'],
      [
        'IF in a trigger body',
        'CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW\n  IF @x IS NULL THEN DO IF(NEW.c = 1, 1, 0); END IF',
      ],
      ['a column named like a keyword', 'CREATE TABLE t (sequence_no INT, nextval_at DATETIME)'],
      ['-- comments', '-- ALTER TABLE t DROP COLUMN IF EXISTS c\nSELECT 1'],
      ['# comments', '# CREATE SEQUENCE s\nSELECT 1'],
      ['/* comments */', '/* INSERT … RETURNING id\n  CREATE OR REPLACE TABLE t */ SELECT 1'],
      ['/*M! … */, which only MariaDB runs', '/*M!100301 ALTER TABLE t DROP COLUMN IF EXISTS c */'],
      [
        'string literals',
        "SET @s = 'ALTER TABLE t DROP COLUMN IF EXISTS c'; SELECT \"RETURNING\", 'it''s NEXTVAL(s)'",
      ],
      ['escaped quotes in a string', "SELECT 'a\\' RETURNING id', 1"],
      ['quoted identifiers', 'SELECT `RETURNING`, `CREATE SEQUENCE` FROM t'],
    ];
    for (const [name, sql] of portable) {
      it(name, () => {
        expect(found(sql)).to.deep.equal([]);
      });
    }
  });

  it('blanks comments and quoted text without moving anything', () => {
    const sql = "SELECT 'a\nb', `c` -- d\n/* e\nf */ FROM t # g\n";
    const blanked = blankCommentsAndQuotes(sql);
    expect(blanked).to.have.length(sql.length);
    expect(blanked.split('\n').length).to.equal(sql.split('\n').length);
    expect(blanked).to.equal("SELECT '_\n_', `_`     \n    \n     FROM t    \n");
  });
});
