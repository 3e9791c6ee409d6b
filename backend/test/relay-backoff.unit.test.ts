import { expect } from 'chai';
import { relayBackoffMs } from '../src/relay/backoff.js';

describe('the outbox relay backoff', () => {
  const settings = { baseMs: 500, maxMs: 10_000 };

  it('doubles with every failed batch in a row, up to the maximum', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 50].map((n) => relayBackoffMs(n, settings, () => 1));
    expect(ceilings).to.deep.equal([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('leaves half of each pause to chance, so backends that lost the database together spread out', () => {
    expect(relayBackoffMs(3, settings, () => 0)).to.equal(1000);
    expect(relayBackoffMs(3, settings, () => 0.5)).to.equal(1500);
    const seen = new Set(Array.from({ length: 50 }, () => relayBackoffMs(4, settings)));
    expect(seen.size).to.be.greaterThan(10);
    for (const ms of seen) expect(ms).to.be.within(2000, 4000);
  });
});
