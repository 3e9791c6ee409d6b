import { expect } from 'chai';
import type mysql from 'mysql2/promise';
import { createPool, migrate } from '../src/index.js';
import { createTestDatabase } from '../src/testing.js';

const DROP_THUMBNAIL = '013_drop_thumbnail_url';

describe('migrate', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: mysql.Pool;

  before(async () => {
    database = await createTestDatabase('migrate');
    pool = createPool(database.settings, 1);
  });
  after(async () => {
    await pool?.end();
    await database?.drop();
  });

  const hasThumbnail = async () => {
    const [rows] = await pool.query<mysql.RowDataPacket[]>(
      `SELECT 1 FROM information_schema.columns
       WHERE table_schema = DATABASE() AND table_name = 'games' AND column_name = 'thumbnail_url'`,
    );
    return rows.length > 0;
  };
  /** Forgets that 013 ran, so the next migrate applies it again. */
  const forget013 = () =>
    pool.query('DELETE FROM schema_migrations WHERE version = ?', [DROP_THUMBNAIL]);

  it('when a fresh database is migrated, then every migration is recorded and games has no thumbnail_url', async () => {
    const [rows] = await pool.query<mysql.RowDataPacket[]>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(rows.map((r) => r.version)).to.include(DROP_THUMBNAIL);
    expect(await hasThumbnail()).to.equal(false);
    expect(await migrate(database.settings), 'a second run applies nothing').to.deep.equal([]);
  });

  it('when games still has thumbnail_url, then 013 drops it and keeps the rows', async () => {
    await pool.query('ALTER TABLE games ADD COLUMN thumbnail_url VARCHAR(255) NULL');
    await forget013();
    const [[before]] = await pool.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM games');

    expect(await migrate(database.settings)).to.deep.equal([DROP_THUMBNAIL]);

    expect(await hasThumbnail()).to.equal(false);
    const [[after]] = await pool.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM games');
    expect(Number(after!.n)).to.equal(Number(before!.n)).and.to.be.greaterThan(0);
  });

  it('when thumbnail_url is already gone, then 013 succeeds and changes nothing', async () => {
    await forget013();
    expect(await migrate(database.settings)).to.deep.equal([DROP_THUMBNAIL]);
    expect(await hasThumbnail()).to.equal(false);
  });

  it('when 016 is half done by hand (its columns there, its index not), then migrate adds only the index', async () => {
    await pool.query('ALTER TABLE dead_letters DROP KEY idx_dead_letters_deleted');
    await pool.query("DELETE FROM schema_migrations WHERE version = '016_dead_letter_soft_delete'");

    expect(await migrate(database.settings)).to.deep.equal(['016_dead_letter_soft_delete']);

    const [indexes] = await pool.query<mysql.RowDataPacket[]>(
      `SELECT DISTINCT index_name AS name FROM information_schema.statistics
       WHERE table_schema = DATABASE() AND table_name = 'dead_letters'
         AND index_name = 'idx_dead_letters_deleted'`,
    );
    expect(indexes).to.have.length(1);
  });
});
