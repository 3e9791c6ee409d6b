import { expect } from 'chai';
import type { RowDataPacket } from 'mysql2';
import { createPool } from '../src/settings.js';
import { createTestDatabase } from '../src/testing.js';

describe('a pool whose connections are all taken', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  before(async () => {
    database = await createTestDatabase('pool_acquire');
  });

  after(() => database?.drop());

  it('fails a waiting query with POOL_ACQUIRE_TIMEOUT after its deadline instead of hanging, then serves again', async () => {
    const pool = createPool(database.settings, 1, { acquireTimeoutMs: 300 });
    try {
      const held = await pool.getConnection();
      const started = performance.now();
      const error = await pool.query('SELECT 1').then(
        () => null,
        (e: unknown) => e as { code?: string },
      );
      const waited = performance.now() - started;
      expect(error?.code).to.equal('POOL_ACQUIRE_TIMEOUT');
      expect(waited).to.be.below(5000);
      held.release();
      const [[row]] = await pool.query<RowDataPacket[]>('SELECT 2 AS n');
      expect(row!.n).to.equal(2);
    } finally {
      await pool.end();
    }
  });

  it('gives a connection that turns up after its waiter gave up back to the pool', async () => {
    const pool = createPool(database.settings, 1, { acquireTimeoutMs: 200 });
    try {
      const held = await pool.getConnection();
      const late = pool.getConnection().then(
        () => 'got one',
        (e: { code?: string }) => e.code,
      );
      expect(await late).to.equal('POOL_ACQUIRE_TIMEOUT');
      held.release();
      // had the late connection been kept, this would wait for it and time out
      const again = await pool.getConnection();
      again.release();
    } finally {
      await pool.end();
    }
  });
});
