import { expect } from 'chai';
import { type ProducerTestEnv, startProducerTestEnv } from './helpers.js';

/** A list that quietly ignored a misspelled or doubled parameter would answer another question. */
describe('message producer: list queries', () => {
  let h: ProducerTestEnv;

  before(async () => {
    // every refusal here comes before the broker is asked anything
    h = await startProducerTestEnv('producer_queries', {}, { waitForBroker: false });
  });
  after(async () => h.cleanup());

  const refused: [string, string][] = [
    ['/api/dlq?limt=5', 'limt'],
    ['/api/dlq?limit=5&limit=10', 'limit'],
    ['/api/dlq?limit[]=5', 'limit[]'],
    ['/api/dlq?limit=0', 'limit'],
    ['/api/queues?name=game_events', 'name'],
    ['/api/templates?kind=custom', 'kind'],
  ];
  for (const [path, field] of refused) {
    it(`when GET ${path} is asked, then it answers 400 VALIDATION_FAILED naming ${field}`, async () => {
      const res = await h.get(path);
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('VALIDATION_FAILED');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).to.deep.equal([field]);
    });
  }

  it('when GET /api/templates is asked without parameters, then it answers as before', async () => {
    const res = await h.get('/api/templates');
    expect(res.status).to.equal(200);
    expect(res.body.templates).to.be.an('array').with.length.greaterThan(0);
  });
});
