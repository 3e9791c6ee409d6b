import { expect } from 'chai';
import type { RowDataPacket } from 'mysql2/promise';
import { type ProducerTestEnv, startProducerTestEnv } from './helpers.js';
import { percentiles, seedArchive } from './scale-seed.js';

const ROWS = 100_000;
const RUNS = 30;
/**
 * The target is a p95 of 50 ms on this machine; the test asserts a looser bound because other
 * suites share its two cores, and prints what it measured (docs/producer.md keeps the figures).
 */
const P95_BOUND_MS = 150;

describe('message producer: the dead-letter console at 100,000 archived messages', function () {
  this.timeout(300_000);
  let h: ProducerTestEnv;
  let biggestGroup: string;

  before(async () => {
    h = await startProducerTestEnv('producer_dl_scale');
    const started = performance.now();
    await seedArchive(h.db, ROWS);
    const [[count]] = await h.db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM dead_letters');
    expect(Number(count!.n)).to.equal(ROWS);
    const { body } = await h.get('/api/dead-letters/groups?limit=1');
    biggestGroup = body[0].groupId;
    console.log(
      `      seeded ${ROWS} rows in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
        `biggest group ${biggestGroup}: ${body[0].count} messages`,
    );
  });
  after(async () => h?.cleanup());

  /** Times `RUNS` requests one after another (after two warm-up requests). */
  async function timed(path: string) {
    const get = async () => {
      const res = await fetch(h.producer.url + path, { headers: h.auth });
      await res.arrayBuffer();
      expect(res.status, path).to.equal(200);
      return res;
    };
    await get();
    const last = await get();
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      await get();
      samples.push(performance.now() - started);
    }
    return { ...percentiles(samples), total: last.headers.get('x-total-count') };
  }

  const report = (name: string, f: Awaited<ReturnType<typeof timed>>) =>
    console.log(
      `      ${name.padEnd(34)} p50 ${String(f.p50).padStart(5)} ms  p95 ${String(f.p95).padStart(5)} ms  max ${String(f.max).padStart(5)} ms  (X-Total-Count ${f.total})`,
    );

  /** `path` is read when the test runs: the group id is known once seeded. */
  const check = (name: string, path: () => string) =>
    it(`${name} answers with a p95 under ${P95_BOUND_MS} ms`, async () => {
      const figures = await timed(path());
      report(name, figures);
      expect(figures.p95).to.be.below(P95_BOUND_MS);
    });

  check('first page', () => '/api/dead-letters?limit=50');
  check('a page of the biggest group', () => `/api/dead-letters?limit=50&group=${biggestGroup}`);
  check('a page of one type (game)', () => '/api/dead-letters?limit=50&type=game');
  check('the groups', () => '/api/dead-letters/groups');
  check('a page of one game', () => '/api/dead-letters?limit=50&gameId=100');

  // Counted row by row, so their cost grows with what matches: printed, not held to the bound.
  it('prints the filters whose count reads the matching rows (time range, body text)', async () => {
    const dayAgo = new Date(Date.now() - 86_400_000).toISOString();
    report(
      'a page a day back (time range)',
      await timed(`/api/dead-letters?limit=50&to=${dayAgo}`),
    );
    report(
      'a page of body text',
      await timed('/api/dead-letters?limit=50&bodyContains=Game%2042%22'),
    );
  });
});
