import { expect } from 'chai';
import type mysql from 'mysql2/promise';
import { createPool, seedScale } from '../src/index.js';
import { createTestDatabase } from '../src/testing.js';

describe('seed:scale', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: mysql.Pool;

  before(async () => {
    database = await createTestDatabase('seed_scale');
    pool = createPool(database.settings, 2);
  });
  after(async () => {
    await pool?.end();
    await database?.drop();
  });

  const rows = async (sql: string) => (await pool.query<mysql.RowDataPacket[]>(sql))[0];

  it('adds exactly the games and tasks asked for, keeping the invariants the application keeps', async () => {
    const [before] = await rows('SELECT COUNT(*) AS n FROM games');
    const result = await seedScale(database.settings, { games: 500, tasks: 5000, seed: 7 });
    expect(result).to.include({ games: 500, tasks: 5000 });

    const [counts] = await rows(
      'SELECT (SELECT COUNT(*) FROM games) AS games, (SELECT COUNT(*) FROM processing_tasks) AS tasks',
    );
    expect([Number(counts!.games), Number(counts!.tasks)]).to.deep.equal([
      Number(before!.n) + 500,
      5000,
    ]);

    // every seeded game has its newest event as last_event_id, and that event's status as its own
    const [broken] = await rows(
      `SELECT COUNT(*) AS n FROM games g
       LEFT JOIN processing_tasks t ON t.message_id = g.last_event_id
       WHERE g.last_event_id IS NOT NULL
         AND (t.message_id IS NULL OR t.game_id <> g.id OR t.status <> g.processing_status
              OR t.created_at <> (SELECT MAX(created_at) FROM processing_tasks x WHERE x.game_id = g.id))`,
    );
    expect(Number(broken!.n)).to.equal(0);
    const [creates] = await rows(
      "SELECT COUNT(DISTINCT game_id) AS n FROM processing_tasks WHERE action = 'create'",
    );
    expect(Number(creates!.n)).to.equal(500);

    // every platform, genre, decade and status appears; titles and developers vary
    const [spread] = await rows(
      `SELECT COUNT(DISTINCT platform_id) AS platforms, COUNT(DISTINCT genre_id) AS genres,
              COUNT(DISTINCT year_category) AS decades, COUNT(DISTINCT title) AS titles,
              COUNT(DISTINCT developer) AS developers,
              MAX(CHAR_LENGTH(description)) AS longest FROM games WHERE last_event_id IS NOT NULL`,
    );
    expect(Number(spread!.platforms)).to.equal(7);
    expect(Number(spread!.genres)).to.equal(8);
    expect(Number(spread!.decades)).to.equal(4);
    expect(Number(spread!.titles)).to.be.greaterThan(300);
    expect(Number(spread!.developers)).to.be.greaterThan(200);
    expect(Number(spread!.longest)).to.be.greaterThan(1000);
    const statuses = await rows('SELECT DISTINCT status FROM processing_tasks ORDER BY status');
    expect(statuses.map((r) => r.status)).to.deep.equal([
      'pending',
      'processing',
      'completed',
      'failed',
    ]);
    const [custom] = await rows("SELECT COUNT(*) AS n FROM processing_tasks WHERE type = 'custom'");
    expect(Number(custom!.n)).to.be.within(500, 1200);

    // outbox rows: published, for recent or failed game events, bodies as the relay publishes them
    const [outbox] = await rows(
      `SELECT COUNT(*) AS n, SUM(published_at IS NULL) AS unpublished,
              SUM(JSON_VALUE(payload, '$.eventId') <> event_id) AS mismatched FROM outbox_events`,
    );
    expect(Number(outbox!.n)).to.be.greaterThan(0);
    expect(Number(outbox!.unpublished)).to.equal(0);
    expect(Number(outbox!.mismatched)).to.equal(0);
  });

  it('refuses fewer tasks than games', async () => {
    const error = await seedScale(database.settings, { games: 10, tasks: 5 }).catch(
      (e: Error) => e,
    );
    expect(error)
      .to.be.instanceOf(Error)
      .with.property('message')
      .that.matches(/--tasks/);
  });
});
