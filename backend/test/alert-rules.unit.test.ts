import { expect } from 'chai';
import {
  evaluateRules,
  planTransitions,
  webhookBackoffMs,
  type AlertThresholds,
  type Observations,
} from '../src/alerts/rules.js';

const limits: AlertThresholds = {
  stalledTasks: 1,
  deadLetters: 20,
  deadLetterWindowMs: 300_000,
  noConsumerAfterMs: 60_000,
  outboxOldestAgeMs: 120_000,
  brokerUnreachableAfterMs: 30_000,
};

const calm: Observations = {
  at: 1_000_000,
  brokerConnected: true,
  stalledTasks: 0,
  deadLettersWaiting: 0,
  deadLettersArchived: 0,
  mainQueueConsumers: 2,
  outboxOldestAgeMs: 0,
};

const firingOf = (seen: Observations, held = {}) =>
  Object.fromEntries(evaluateRules(seen, limits, held).verdicts.map((v) => [v.rule, v.firing]));

describe('alert rules', () => {
  it('when everything is calm, then no rule fires', () => {
    expect(Object.values(firingOf(calm))).to.deep.equal([false, false, false, false, false]);
  });

  it('when a task is stalled, then tasks-stalled fires', () => {
    expect(firingOf({ ...calm, stalledTasks: 1 })['tasks-stalled']).to.equal(true);
  });

  it('when DLQ depth plus archived in the window reach the threshold, then dead-letters fires', () => {
    expect(
      firingOf({ ...calm, deadLettersWaiting: 12, deadLettersArchived: 7 })['dead-letters'],
    ).to.equal(false);
    expect(
      firingOf({ ...calm, deadLettersWaiting: 12, deadLettersArchived: 8 })['dead-letters'],
    ).to.equal(true);
  });

  it('when the outbox oldest age is over the threshold, then outbox-stuck fires', () => {
    expect(firingOf({ ...calm, outboxOldestAgeMs: 120_000 })['outbox-stuck']).to.equal(false);
    expect(firingOf({ ...calm, outboxOldestAgeMs: 120_001 })['outbox-stuck']).to.equal(true);
  });

  it('when the main queue has no consumer, then no-consumer fires only after its delay', () => {
    const first = evaluateRules({ ...calm, mainQueueConsumers: 0 }, limits, {});
    // null, not false: an alert raised before a lease handover stays firing meanwhile
    expect(first.verdicts.find((v) => v.rule === 'no-consumer')!.firing).to.equal(null);
    const later = evaluateRules(
      { ...calm, at: calm.at + 60_000, mainQueueConsumers: 0 },
      limits,
      first.heldSince,
    );
    expect(later.verdicts.find((v) => v.rule === 'no-consumer')!.firing).to.equal(true);
    // a consumer in between starts the clock again
    const back = evaluateRules({ ...calm, at: calm.at + 30_000 }, limits, first.heldSince);
    const again = evaluateRules(
      { ...calm, at: calm.at + 60_000, mainQueueConsumers: 0 },
      limits,
      back.heldSince,
    );
    expect(again.verdicts.find((v) => v.rule === 'no-consumer')!.firing).to.equal(null);
  });

  it('when the broker is away, then broker-unreachable fires after its delay and the queue rules are unknown', () => {
    const away = {
      ...calm,
      brokerConnected: false,
      mainQueueConsumers: null,
      deadLettersWaiting: null,
    };
    const first = evaluateRules(away, limits, {});
    const later = firingOf({ ...away, at: calm.at + 30_000 }, first.heldSince);
    expect(later['broker-unreachable']).to.equal(true);
    expect(later['no-consumer']).to.equal(null);
    expect(later['dead-letters']).to.equal(null);
  });

  it('when a reading is unknown, then the delay clock of its rule is kept', () => {
    const first = evaluateRules({ ...calm, mainQueueConsumers: 0 }, limits, {});
    const unknown = evaluateRules(
      { ...calm, at: calm.at + 10_000, mainQueueConsumers: null },
      limits,
      first.heldSince,
    );
    expect(unknown.heldSince['no-consumer']).to.equal(calm.at);
  });
});

describe('alert transitions', () => {
  const { verdicts } = evaluateRules({ ...calm, stalledTasks: 3 }, limits, {});

  it('raises a firing rule that is not raised yet, and resolves a raised rule that stopped firing', () => {
    const plan = planTransitions(verdicts, new Set(['outbox-stuck'] as const));
    expect(plan.raise.map((v) => v.rule)).to.deep.equal(['tasks-stalled']);
    expect(plan.resolve).to.deep.equal(['outbox-stuck']);
  });

  it('raises nothing twice and leaves rules with unknown readings as they are', () => {
    const unknown = verdicts.map((v) => (v.rule === 'outbox-stuck' ? { ...v, firing: null } : v));
    const plan = planTransitions(unknown, new Set(['tasks-stalled', 'outbox-stuck'] as const));
    expect(plan).to.deep.equal({ raise: [], resolve: [] });
  });
});

describe('a lease handover', () => {
  it('when the new holder starts its delay clock, then a no-consumer alert still firing is kept', () => {
    const { verdicts } = evaluateRules({ ...calm, mainQueueConsumers: 0 }, limits, {});
    expect(planTransitions(verdicts, new Set(['no-consumer'] as const))).to.deep.equal({
      raise: [],
      resolve: [],
    });
  });
});

describe('webhook backoff', () => {
  it('doubles from the base up to five minutes', () => {
    expect([0, 1, 2, 3].map((n) => webhookBackoffMs(n))).to.deep.equal([1000, 2000, 4000, 8000]);
    expect(webhookBackoffMs(30)).to.equal(300_000);
  });
});
