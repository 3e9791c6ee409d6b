import type mysql from 'mysql2/promise';

type Queryable = mysql.Connection | mysql.PoolConnection;

/** The counter tables that triggers keep (migrations 007 and 009), and what each one counts. */
const COUNTED = {
  task_counts: { table: 'processing_tasks', keys: ['type', 'status'] },
  game_counts: {
    table: 'games',
    keys: ['platform_id', 'genre_id', 'year_category', 'processing_status'],
  },
} as const;

export type CounterTable = keyof typeof COUNTED;

/**
 * Makes a counter table agree with the rows it counts, by adding the difference to the base
 * slot: for the rows there before the triggers (migrations) and the rows a bulk load wrote with
 * @retro_bulk_load set (the scale seeder). One statement reads the rows and the counters in one
 * snapshot (READ COMMITTED: a consistent read that locks nothing) and adds only the difference,
 * so writes committed meanwhile, already counted by their triggers, are neither lost nor counted
 * twice. Reads every row once: for migrations, bulk loads and repairs, not for requests.
 */
export async function reconcileCounts(db: Queryable, counter: CounterTable): Promise<void> {
  const { table, keys } = COUNTED[counter];
  const list = keys.join(', ');
  const on = keys.map((k) => `c.${k} = t.${k}`).join(' AND ');
  await db.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
  try {
    await db.query(
      `INSERT INTO ${counter} (slot, ${list}, n)
       SELECT 0, ${keys.map((k) => `t.${k}`).join(', ')}, t.n - COALESCE(c.n, 0)
       FROM (SELECT ${list}, COUNT(*) AS n FROM ${table} GROUP BY ${list}) t
       LEFT JOIN (SELECT ${list}, SUM(n) AS n FROM ${counter} GROUP BY ${list}) c ON ${on}
       ON DUPLICATE KEY UPDATE ${counter}.n = ${counter}.n + VALUES(n)`,
    );
    // counters of keys with no row left (their rows were bulk-deleted): back to zero
    await db.query(
      `INSERT INTO ${counter} (slot, ${list}, n)
       SELECT 0, ${keys.map((k) => `c.${k}`).join(', ')}, -c.n
       FROM (SELECT ${list}, SUM(n) AS n FROM ${counter} GROUP BY ${list} HAVING SUM(n) <> 0) c
       WHERE NOT EXISTS (SELECT 1 FROM ${table} t WHERE ${on})
       ON DUPLICATE KEY UPDATE ${counter}.n = ${counter}.n + VALUES(n)`,
    );
  } finally {
    await db.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  }
}
