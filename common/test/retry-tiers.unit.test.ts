import { expect } from 'chai';
import {
  MAX_RETRY_DELAY_MS,
  retryTierQueue,
  retryTiers,
  tierFor,
  tierLabel,
} from '../src/retry-tiers.js';

describe('retry tiers', () => {
  it('doubles from the base delay up to the one-minute cap', () => {
    expect(retryTiers(1000)).to.deep.equal([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000]);
    expect(retryTiers(3000)).to.deep.equal([3000, 6000, 12_000, 24_000, 48_000, 60_000]);
    expect(retryTiers(50).at(-1)).to.equal(MAX_RETRY_DELAY_MS);
  });

  it('keeps a base delay longer than the cap as the only tier', () => {
    expect(retryTiers(120_000)).to.deep.equal([120_000]);
  });

  it('with a base of zero, retries go to a 0 ms tier and deferrals still have a ladder', () => {
    expect(retryTiers(0)).to.deep.equal([0, 1000, 2000, 4000, 8000, 16_000, 32_000, 60_000]);
  });

  it('sends a delay to the shortest tier at least as long, never an earlier one', () => {
    const tiers = retryTiers(1000);
    expect(tierFor(1000, tiers)).to.equal(1000);
    expect(tierFor(1001, tiers)).to.equal(2000);
    expect(tierFor(1, tiers)).to.equal(1000);
    expect(tierFor(0, tiers)).to.equal(1000);
    expect(tierFor(45_000, tiers)).to.equal(60_000);
    expect(tierFor(10 * 60_000, tiers)).to.equal(60_000);
  });

  it('names each tier by its delay', () => {
    expect(tierLabel(1000)).to.equal('1s');
    expect(tierLabel(60_000)).to.equal('60s');
    expect(tierLabel(250)).to.equal('250ms');
    expect(tierLabel(1500)).to.equal('1500ms');
    expect(tierLabel(0)).to.equal('0ms');
    expect(retryTierQueue('game_events', 2000)).to.equal('game_events.retry.2s');
  });
});
