import { expect } from 'chai';
import { DeferralSchedule, MAX_DEFER_MS } from '../src/domain/deferral-schedule.js';

describe('deferral schedule (flood control)', () => {
  it("spaces one game's deferrals one step apart, each game on its own", () => {
    const schedule = new DeferralSchedule(2000);
    expect([0, 0, 0].map(() => schedule.next('game:1', 0))).to.deep.equal([2000, 4000, 6000]);
    expect(schedule.next('game:2', 0)).to.equal(2000);
    // 3 s later the first two are back; the next one queues after the last still away
    expect(schedule.next('game:1', 3000)).to.equal(5000);
  });

  it('never defers longer than the cap, and forgets a game once its deferrals are due', () => {
    const schedule = new DeferralSchedule(20_000);
    const delays = Array.from({ length: 5 }, () => schedule.next('game:1', 0));
    expect(delays).to.deep.equal([20_000, 40_000, MAX_DEFER_MS, MAX_DEFER_MS, MAX_DEFER_MS]);
    expect(schedule.next('game:1', MAX_DEFER_MS)).to.equal(20_000);
  });
});
