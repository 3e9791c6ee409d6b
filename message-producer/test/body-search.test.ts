import { indexUnindexedDeadLetters, trigramsOf } from '@retro/database';
import { expect } from 'chai';
import type { RowDataPacket } from 'mysql2/promise';
import { countDeadLetters, listDeadLetters } from '../src/data-access/archive-reads.js';
import { archiveBatch } from '../src/data-access/archive-writes.js';
import { toArchiveRecord } from '../src/domain/archived-message.js';
import { type ProducerTestEnv, startProducerTestEnv } from './helpers.js';

/** Bodies that test what "the same character" means: case, accents, scripts, LIKE's wildcards. */
const CORPUS = [
  'Hello World',
  'hello world',
  'HELLO',
  'Pokémon Red',
  'POKÉMON Blue',
  'pokemon gold',
  'Straße 5',
  'STRASSE 5',
  '100% done',
  '100 percent',
  'a_b',
  'aXb',
  'a\\b and a\\\\b',
  "it's 'quoted'",
  '日本語のテキスト',
  '😀 emoji 😃',
  'x',
  'ab',
  '',
  'İstanbul',
  'ǅemal',
  'tab\there\nnew line',
  'Ab%_c',
  '{"type":"game","gameId":42,"title":"F-Zero"}',
  '{"type":"custom","payload":{"note":"50%_off"}}',
  'x'.repeat(3000) + ' needle at the end',
];

const QUERIES = [
  'hello',
  'HELLO W',
  'o',
  'll',
  '%',
  '_',
  '100%',
  'a_b',
  '%_',
  '\\',
  'a\\b',
  'é',
  'pokémon',
  'POKEMON',
  'straße',
  'ss',
  '日本',
  '日本語',
  '😀',
  '😃',
  'moji 😃',
  'zzz',
  ' ',
  '   ',
  'İst',
  'ist',
  "'",
  "t's '",
  '"gameId":42',
  'f-zero',
  'needle',
  'xxxx',
  '\t',
  'e\nn',
];

/** The text filter against a plain LIKE scan of the same rows: the same ids, the same count. */
describe('message producer: searching archived bodies through the trigram index', function () {
  this.timeout(60_000);
  let h: ProducerTestEnv;

  before(async () => {
    h = await startProducerTestEnv('producer_body_search');
    const records = CORPUS.map((body, i) =>
      toArchiveRecord(Buffer.from(body), {
        messageId: `search-${i}`,
        headers: { 'x-error': 'kept for the search test' },
      } as never),
    );
    // and one body that is not UTF-8: stored as base64, never matched by text
    records.push(
      toArchiveRecord(Buffer.from([0xff, 0x68, 0x65, 0x6c, 0x6c, 0x6f]), {
        messageId: 'search-binary',
        headers: {},
      } as never),
    );
    await archiveBatch(h.db, records);
  });
  after(async () => h?.cleanup());

  async function plainLike(text: string): Promise<number[]> {
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const [rows] = await h.db.query<RowDataPacket[]>(
      `SELECT id FROM dead_letters
        WHERE body_encoding = 'utf8' AND body LIKE ? COLLATE utf8mb4_general_ci ESCAPE '\\\\'
        ORDER BY parked_at DESC, id DESC`,
      [pattern],
    );
    return rows.map((r) => Number(r.id));
  }

  async function viaApi(text: string) {
    const res = await h.request(
      'GET',
      `/api/dead-letters?limit=200&bodyContains=${encodeURIComponent(text)}`,
    );
    expect(res.status, text).to.equal(200);
    return {
      ids: (res.body as { id: number }[]).map((i) => i.id),
      total: Number(res.headers.get('x-total-count')),
    };
  }

  it('indexes each UTF-8 body when it is archived, and no base64 one', async () => {
    const [[row]] = await h.db.query<RowDataPacket[]>(
      `SELECT COUNT(DISTINCT t.dead_letter_id) AS bodies, SUM(d.body_encoding = 'base64') AS base64
         FROM dead_letter_trigrams t JOIN dead_letters d ON d.id = t.dead_letter_id`,
    );
    // every body of three characters or more
    expect(Number(row!.bodies)).to.equal(CORPUS.filter((b) => [...b].length >= 3).length);
    expect(Number(row!.base64)).to.equal(0);
  });

  it('finds exactly what a plain LIKE finds, for every query (unicode, %, _, \\, short ones)', async () => {
    for (const text of QUERIES) {
      const expected = await plainLike(text);
      const got = await viaApi(text);
      expect(got.ids, JSON.stringify(text)).to.deep.equal(expected);
      expect(got.total, JSON.stringify(text)).to.equal(expected.length);
    }
    // the corpus does exercise both sides: matches and misses, through the index and around it
    expect((await plainLike('hello')).length).to.equal(3);
    expect(await plainLike('zzz')).to.deep.equal([]);
  });

  it('gives the same rows whichever trigrams narrow it, or none (a text too common for the index)', async () => {
    for (const text of QUERIES) {
      const expected = await plainLike(text);
      for (const bodyTrigrams of [undefined, [], trigramsOf(text), trigramsOf(text).slice(-1)]) {
        const filter = { bodyContains: text, bodyTrigrams };
        const { items } = await listDeadLetters(h.db, filter, 200);
        const label = `${JSON.stringify(text)} ${JSON.stringify(bodyTrigrams)}`;
        expect(
          items.map((i) => i.id),
          label,
        ).to.deep.equal(expected);
        expect(await countDeadLetters(h.db, filter), label).to.equal(expected.length);
      }
    }
  });

  it('when the index is rebuilt by the migrate step, then the results are the same', async () => {
    const before = await Promise.all(QUERIES.map((q) => viaApi(q)));
    await h.db.query('DELETE FROM dead_letter_trigrams');
    expect((await viaApi('hello')).ids).to.deep.equal([]); // the index narrows: nothing indexed
    await indexUnindexedDeadLetters(h.db, 4);
    expect(await Promise.all(QUERIES.map((q) => viaApi(q)))).to.deep.equal(before);
    // a second run finds nothing left to do
    expect(await indexUnindexedDeadLetters(h.db)).to.equal(
      CORPUS.filter((b) => [...b].length < 3).length,
    );
  });

  it('reads candidates from the index rather than every body', async () => {
    const [plan] = await h.db.query<RowDataPacket[]>(
      `EXPLAIN SELECT id FROM dead_letters WHERE id IN (
         SELECT t0.dead_letter_id FROM dead_letter_trigrams t0 WHERE t0.trigram = 'hel')`,
    );
    expect(plan.map((p) => p.table)).to.include('t0');
  });
});
