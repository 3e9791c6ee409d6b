import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type mysql from 'mysql2/promise';
import { createPool, migrate } from '../src/index.js';
import { createTestDatabase } from '../src/testing.js';
import { runCli } from './run-cli.js';
import { schemaSignature } from './schema-signature.js';

const MIGRATIONS = new URL('../migrations/', import.meta.url);
const checksum = (file: string) =>
  createHash('sha256')
    .update(readFileSync(new URL(file, MIGRATIONS)))
    .digest('hex');

describe('migrate: checksums, --status and running every file again', function () {
  this.timeout(120_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: mysql.Pool;
  let cwd: string;

  before(async () => {
    database = await createTestDatabase('history');
    pool = createPool(database.settings, 1);
    cwd = mkdtempSync(join(tmpdir(), 'retro-migrate-'));
  });
  after(async () => {
    await pool?.end();
    await database?.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  const cli = (...args: string[]) =>
    runCli('cli.js', args, { database: database.settings, cwd, env: { ADMIN_PASSWORD_FILE: '' } });
  const recorded = async (version: string) => {
    const [[row]] = await pool.query<mysql.RowDataPacket[]>(
      'SELECT checksum FROM schema_migrations WHERE version = ?',
      [version],
    );
    return row?.checksum as string | null | undefined;
  };

  it('when the database was migrated before checksums were kept (no checksum column), then --status says so and migrate adds the column and records every file', async () => {
    await pool.query('ALTER TABLE schema_migrations DROP COLUMN checksum');
    await pool.query('DROP TABLE schema_migration_steps');

    const status = await cli('--status');
    expect(status.code, status.stderr).to.equal(0);
    expect(
      status.lines.every((l) => l.includes('applied, checksum recorded at next migrate')),
    ).to.equal(true);

    const run = await cli();
    expect(run.code, run.stderr).to.equal(0);
    const [rows] = await pool.query<mysql.RowDataPacket[]>(
      'SELECT version, checksum FROM schema_migrations ORDER BY version',
    );
    expect(rows.map((r) => [r.version, r.checksum])).to.deep.equal(
      readdirSync(MIGRATIONS)
        .filter((f) => f.endsWith('.sql'))
        .sort()
        .map((f) => [f.replace(/\.sql$/, ''), checksum(f)]),
    );
  });

  it('when a file was applied before checksums were kept and another is pending, then --status says so and migrate records and applies them', async () => {
    await pool.query(`UPDATE schema_migrations SET checksum = NULL WHERE version = '015_accounts'`);
    await pool.query(`DELETE FROM schema_migrations WHERE version = '016_dead_letter_soft_delete'`);

    const status = await cli('--status');
    expect(status.code, status.stderr).to.equal(0);
    const line = (version: string) => status.lines.find((l) => l.startsWith(version)) ?? '';
    const files = readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql'));
    expect(status.lines).to.have.length(files.length);
    expect(line('001_catalog')).to.match(
      new RegExp(`^001_catalog +${checksum('001_catalog.sql')} +applied +\\d{4}-`),
    );
    expect(line('015_accounts')).to.contain(checksum('015_accounts.sql'));
    expect(line('015_accounts')).to.contain('applied, checksum recorded at next migrate');
    expect(line('016_dead_letter_soft_delete')).to.match(/ pending$/);

    const run = await cli();
    expect(run.code, run.stderr).to.equal(0);
    expect(await recorded('015_accounts')).to.equal(checksum('015_accounts.sql'));
    // 016's columns and key are there: the guards skip them, and it is recorded
    expect(await recorded('016_dead_letter_soft_delete')).to.equal(
      checksum('016_dead_letter_soft_delete.sql'),
    );
    expect((await cli('--status')).lines.every((l) => / applied +\d{4}-/.test(l))).to.equal(true);
  });

  it('when an applied file changed since, then migrate and --status name it and fail, until --accept-checksum records it', async () => {
    await pool.query(
      `UPDATE schema_migrations SET checksum = REPEAT('f', 64)
       WHERE version = '014_dead_letter_quarantine'`,
    );

    const refused = await cli();
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain(
      '014_dead_letter_quarantine.sql changed after it was applied',
    );
    expect(refused.stderr).to.contain('--accept-checksum 014_dead_letter_quarantine.sql');

    const status = await cli('--status');
    expect(status.code).to.equal(1);
    expect(status.lines.find((l) => l.startsWith('014_'))).to.contain('CHANGED since applied');

    const accepted = await cli('--accept-checksum', '014_dead_letter_quarantine.sql');
    expect(accepted.code, accepted.stderr).to.equal(0);
    expect(await recorded('014_dead_letter_quarantine')).to.equal(
      checksum('014_dead_letter_quarantine.sql'),
    );
  });

  it('when every schema migration is forgotten and migrate runs again, then each is found done and the schema and rows stay as they were', async () => {
    const before = await schemaSignature(pool);
    const [[games]] = await pool.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM games');
    const [[counted]] = await pool.query<mysql.RowDataPacket[]>(
      'SELECT SUM(n) AS n FROM game_counts',
    );
    // 003 inserts the seed rows: forgetting it would insert them again, as it should
    await pool.query(`DELETE FROM schema_migrations WHERE version <> '003_seed'`);

    const applied = await migrate(database.settings);

    expect(applied).to.have.length.greaterThan(10).and.not.to.include('003_seed');
    expect(await schemaSignature(pool)).to.deep.equal(before);
    const [[gamesAfter]] = await pool.query<mysql.RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM games',
    );
    const [[countedAfter]] = await pool.query<mysql.RowDataPacket[]>(
      'SELECT SUM(n) AS n FROM game_counts',
    );
    expect(Number(gamesAfter!.n)).to.equal(Number(games!.n));
    expect(Number(countedAfter!.n), 'the counters recounted, not doubled').to.equal(
      Number(counted!.n),
    );
  });

  it('--print-grants USER@HOST prints one GRANT per table of the services\u2019 rights', async () => {
    const printed = await cli('--print-grants', 'retro_app@%');
    expect(printed.code, printed.stderr).to.equal(0);
    const db = database.settings.database;
    expect(printed.lines).to.include(`GRANT SELECT ON \`${db}\`.\`platforms\` TO 'retro_app'@'%';`);
    expect(printed.lines).to.include(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON \`${db}\`.\`games\` TO 'retro_app'@'%';`,
    );
    expect(printed.lines.join('\n')).not.to.contain('schema_migrations');
    expect((await cli('--print-grants', "x'; DROP TABLE games; --@%")).code).to.equal(1);
  });
});
