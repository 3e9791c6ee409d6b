import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import type mysql from 'mysql2/promise';
import { createPool, dropDatabase, migrate, type DbSettings } from '@retro/database';
import { testDbAccount } from '@retro/database/testing';
import { schemaSignature } from '../../database/test/schema-signature.js';

const CHILD = fileURLToPath(
  new URL('../../database/test/fixtures/migrate-child.ts', import.meta.url),
);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Two files; the second has a slow row copy (a data step) and a slow CREATE … SELECT (a schema
// step, which the server finishes even when its client is gone), each a point to kill at.
const FILES: Record<string, string> = {
  '001_items.sql': `
    CREATE TABLE items (id INT PRIMARY KEY, label VARCHAR(20) NOT NULL) ENGINE=InnoDB;
    INSERT INTO items VALUES (1, 'one'), (2, 'two'), (3, 'three');
  `,
  '002_more.sql': `
    -- a comment; with a semicolon
    CREATE TABLE item_copies (id INT PRIMARY KEY, slept INT NOT NULL) ENGINE=InnoDB;
    INSERT INTO item_copies (id, slept) SELECT id, SLEEP(1) /* slow_copy */ FROM items;
    ALTER TABLE items
      ADD COLUMN note VARCHAR(50) NULL,
      -- the notes are searched
      ADD KEY idx_items_note (note);
    CREATE TABLE item_totals ENGINE=InnoDB AS SELECT COUNT(*) AS n, SLEEP(3) /* slow_create */ AS s FROM items;
    CREATE TRIGGER trg_items_insert AFTER INSERT ON items FOR EACH ROW
    BEGIN
      IF NEW.id > 100 THEN
        UPDATE item_totals SET n = n + 1;
      END IF;
    END;
    SET @retro_note = 'noted';
    UPDATE items SET note = @retro_note WHERE id = 2;
    SET @retro_note = NULL;
    CREATE INDEX idx_items_label ON items (label);
  `,
};

describe('migrate, killed halfway and run again', function () {
  this.timeout(120_000);
  let dir: string;
  const databases: DbSettings[] = [];
  const children: ChildProcess[] = [];

  const newDatabase = () => {
    const settings = {
      ...testDbAccount(),
      database: `test_resume_${randomBytes(4).toString('hex')}`,
    };
    databases.push(settings);
    return settings;
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'retro-migrations-'));
    for (const [file, sql] of Object.entries(FILES)) writeFileSync(join(dir, file), sql);
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const settings of databases) await dropDatabase(settings);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the migrate step as its own process, on `settings`, with the test's migrations. */
  const startChild = (settings: DbSettings) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        MIGRATE_SETTINGS: JSON.stringify(settings),
        MIGRATIONS_DIR: dir,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.push(child);
    return child;
  };

  /** Waits until the server runs the statement marked `marker` for `settings`' database. */
  const waitForStatement = async (watcher: mysql.Pool, settings: DbSettings, marker: string) => {
    await waitFor(
      `the statement marked ${marker}`,
      async () => {
        const [rows] = await watcher.query<mysql.RowDataPacket[]>(
          `SELECT 1 FROM information_schema.processlist WHERE db = ? AND info LIKE ?`,
          [settings.database, `%${marker}%`],
        );
        return rows.length > 0;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );
  };

  const contents = async (pool: mysql.Pool) => {
    const [items] = await pool.query('SELECT * FROM items ORDER BY id');
    const [copies] = await pool.query('SELECT * FROM item_copies ORDER BY id');
    const [totals] = await pool.query('SELECT n FROM item_totals');
    const [versions] = await pool.query<mysql.RowDataPacket[]>(
      'SELECT version, checksum FROM schema_migrations ORDER BY version',
    );
    const [steps] = await pool.query<mysql.RowDataPacket[]>('SELECT * FROM schema_migration_steps');
    return { items, copies, totals, versions, steps };
  };

  for (const [marker, what] of [
    ['slow_copy', 'a data step (its rows roll back with its record)'],
    ['slow_create', 'a schema step (the server finishes it; the run again finds it done)'],
  ] as const) {
    it(`when the process is killed (SIGKILL) during ${what}, then a second run finishes with the schema and rows of an uninterrupted run`, async () => {
      const uninterrupted = newDatabase();
      await migrate(uninterrupted, { migrationsDir: dir });

      const killed = newDatabase();
      const watcher = createPool({ ...killed, database: '' }, 1);
      try {
        const child = startChild(killed);
        const exited = new Promise((resolve) => child.once('exit', resolve));
        await waitForStatement(watcher, killed, marker);
        child.kill('SIGKILL');
        expect(await exited).to.equal(null);
      } finally {
        await watcher.end();
      }

      const pool = createPool(killed, 1);
      try {
        const [[partial]] = await pool.query<mysql.RowDataPacket[]>(
          `SELECT COUNT(*) AS n FROM schema_migration_steps WHERE version = '002_more'`,
        );
        expect(Number(partial!.n), 'steps recorded before the kill').to.be.greaterThan(0);

        // the server may still be running the killed statement: the lock makes this run wait
        expect(await migrate(killed, { migrationsDir: dir })).to.deep.equal(['002_more']);
        expect(await migrate(killed, { migrationsDir: dir }), 'a third run').to.deep.equal([]);

        const reference = createPool(uninterrupted, 1);
        try {
          expect(await schemaSignature(pool)).to.deep.equal(await schemaSignature(reference));
          const [mine, theirs] = [await contents(pool), await contents(reference)];
          expect(mine.steps).to.deep.equal([]);
          expect(mine.items).to.deep.equal(theirs.items);
          expect(mine.copies).to.have.length(3).and.to.deep.equal(theirs.copies);
          expect(mine.totals).to.deep.equal(theirs.totals);
          expect(mine.versions).to.deep.equal(theirs.versions);
        } finally {
          await reference.end();
        }
      } finally {
        await pool.end();
      }
    });
  }
});
