import type { FlowSample } from '@retro/common';
import { expect } from 'chai';
import { FlowRing } from '../src/flow/flow-ring.js';

const sample = (at: number): FlowSample => ({
  at,
  completedPerSec: at / 1000,
  failedPerSec: 0,
  parkedPerSec: 0,
  mainDepth: 0,
  retryDepth: 0,
  outboxBacklog: 0,
  outboxOldestAgeMs: 0,
  p95Ms: null,
});
const times = (samples: FlowSample[]) => samples.map((s) => s.at);

describe('the flow sample ring', () => {
  it('keeps the samples oldest first until it is full', () => {
    const ring = new FlowRing(4);
    expect(ring.since()).to.deep.equal([]);
    expect(ring.last()).to.equal(undefined);
    for (const at of [1000, 2000, 3000]) ring.push(sample(at));
    expect(times(ring.since())).to.deep.equal([1000, 2000, 3000]);
    expect(ring.last()?.at).to.equal(3000);
  });

  it('when full, then each new sample pushes out the oldest: its memory stays bounded', () => {
    const ring = new FlowRing(3);
    for (let at = 1; at <= 10; at++) ring.push(sample(at * 1000));
    expect(times(ring.since())).to.deep.equal([8000, 9000, 10_000]);
  });

  it('answers `since` with only the samples taken after it, across the wrap', () => {
    const ring = new FlowRing(5);
    for (let at = 1; at <= 7; at++) ring.push(sample(at * 1000));
    expect(times(ring.since(5000))).to.deep.equal([6000, 7000]);
    expect(times(ring.since(5500))).to.deep.equal([6000, 7000]);
    expect(times(ring.since(0))).to.deep.equal([3000, 4000, 5000, 6000, 7000]);
    expect(times(ring.since(7000))).to.deep.equal([]);
    expect(times(ring.since(99_000))).to.deep.equal([]);
  });

  it('drops a sample not newer than the last (a clock step back), so `at` always increases', () => {
    const ring = new FlowRing(5);
    for (const at of [1000, 3000, 2000, 3000, 4000]) ring.push(sample(at));
    expect(times(ring.since())).to.deep.equal([1000, 3000, 4000]);
  });

  it('refuses a capacity below one', () => {
    expect(() => new FlowRing(0)).to.throw(RangeError);
  });
});
