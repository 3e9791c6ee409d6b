import { expect } from 'chai';
import { describeBrokerDeath, readBrokerDeath } from '../src/broker-death.js';
import { deliveryBeyondLimits, headersWithinLimits } from '../src/message-headers.js';
import { DELIVERY_LIMITS } from '../src/message-rules.js';

const { headerCount, nameLength, valueLength, bodyBytes } = DELIVERY_LIMITS;
const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`h${i}`, i]));
const small = Buffer.from('{}');

describe('what one delivery may carry (unit)', () => {
  it('takes a delivery at every bound', () => {
    expect(deliveryBeyondLimits(Buffer.alloc(bodyBytes), many(headerCount))).to.equal(null);
    expect(deliveryBeyondLimits(small, { ['n'.repeat(nameLength)]: 1 })).to.equal(null);
    expect(deliveryBeyondLimits(small, { v: 'v'.repeat(valueLength) })).to.equal(null);
    expect(deliveryBeyondLimits(small, { v: Buffer.alloc(valueLength) })).to.equal(null);
    expect(deliveryBeyondLimits(small, undefined)).to.equal(null);
  });

  it('names the bound a delivery one past it breaks', () => {
    expect(deliveryBeyondLimits(Buffer.alloc(bodyBytes + 1), {})).to.equal(
      `body of ${bodyBytes + 1} bytes is over the bound of ${bodyBytes}`,
    );
    expect(deliveryBeyondLimits(small, many(headerCount + 1))).to.equal(
      `${headerCount + 1} headers are over the bound of ${headerCount}`,
    );
    expect(deliveryBeyondLimits(small, { ['n'.repeat(nameLength + 1)]: 1 })).to.equal(
      `a header name of ${nameLength + 1} characters is over the bound of ${nameLength}`,
    );
    expect(deliveryBeyondLimits(small, { v: 'v'.repeat(valueLength + 1) })).to.equal(
      `header v of ${valueLength + 1} characters is over the bound of ${valueLength}`,
    );
    // a table counts by its JSON: {"a":"…"} is 8 characters around the text
    expect(deliveryBeyondLimits(small, { t: { a: 'v'.repeat(valueLength - 7) } })).to.equal(
      `header t of ${valueLength + 1} characters is over the bound of ${valueLength}`,
    );
    expect(deliveryBeyondLimits(small, { t: { a: 'v'.repeat(valueLength - 8) } })).to.equal(null);
  });

  it('keeps, for a copy, only the headers within the bounds, at most as many as there is room for', () => {
    const headers = { a: 1, ['n'.repeat(nameLength + 1)]: 2, b: 'v'.repeat(valueLength + 1), c: 3 };
    expect(headersWithinLimits(headers, 10)).to.deep.equal({ a: 1, c: 3 });
    expect(headersWithinLimits(headers, 1)).to.deep.equal({ a: 1 });
    expect(headersWithinLimits(undefined, 5)).to.deep.equal({});
  });
});

describe("the broker's dead-lettering record (unit)", () => {
  it('reads nothing from a message the broker never dead-lettered', () => {
    expect(readBrokerDeath(undefined)).to.equal(null);
    expect(readBrokerDeath({ 'x-error': 'mine', 'x-death': [] })).to.equal(null);
    expect(readBrokerDeath({ 'x-death': 'forged' })).to.equal(null);
  });

  it('reads the newest x-death entry, falling back to x-last-death-*, then x-first-death-*', () => {
    expect(
      readBrokerDeath({
        'x-death': [
          { reason: 'delivery_limit', queue: 'game_events', count: 1n },
          { reason: 'expired', queue: 'game_events.retry.1s', count: 4 },
        ],
        'x-delivery-count': 100,
      }),
    ).to.deep.equal({
      reason: 'delivery_limit',
      queue: 'game_events',
      count: 1,
      deliveryCount: 100,
    });
    expect(
      readBrokerDeath({
        'x-last-death-reason': 'rejected',
        'x-last-death-queue': 'q2',
        'x-first-death-reason': 'expired',
        'x-first-death-queue': 'q1',
      }),
    ).to.deep.equal({ reason: 'rejected', queue: 'q2', count: null, deliveryCount: null });
    expect(readBrokerDeath({ 'x-first-death-reason': Buffer.from('maxlen') })).to.deep.equal({
      reason: 'maxlen',
      queue: null,
      count: null,
      deliveryCount: null,
    });
  });

  it('says what happened, where, and how often', () => {
    const death = { reason: 'delivery_limit', queue: 'game_events', count: 1, deliveryCount: null };
    expect(describeBrokerDeath(death)).to.equal(
      'dead-lettered by the broker: delivery limit reached on game_events (count 1)',
    );
    expect(describeBrokerDeath({ ...death, count: 3, deliveryCount: 101 })).to.equal(
      'dead-lettered by the broker: delivery limit reached on game_events (after 101 deliveries; count 3)',
    );
    expect(describeBrokerDeath({ ...death, reason: 'expired', queue: null, count: null })).to.equal(
      'dead-lettered by the broker: message TTL expired',
    );
  });
});
