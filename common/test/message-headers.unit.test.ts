import { expect } from 'chai';
import {
  carriedProperties,
  isBrokerDeathHeader,
  readCount,
  readCountHeader,
  readRetryCount,
  withoutBrokerHeaders,
} from '../src/message-headers.js';

describe('message headers shared by the consumer and the producer', () => {
  it('reads x-retry-count, treating absent or garbage values as zero', () => {
    expect(readRetryCount(undefined)).to.equal(0);
    expect(readRetryCount({})).to.equal(0);
    expect(readRetryCount({ 'x-retry-count': 2 })).to.equal(2);
    expect(readRetryCount({ 'x-retry-count': '3' })).to.equal(3);
    expect(readRetryCount({ 'x-retry-count': -1 })).to.equal(0);
    expect(readRetryCount({ 'x-retry-count': 1.5 })).to.equal(0);
    expect(readRetryCount({ 'x-retry-count': 'many' })).to.equal(0);
    expect(readRetryCount({ 'x-retry-count': ' ' })).to.equal(0);
    expect(readRetryCount({ 'x-retry-count': null })).to.equal(0);
  });

  it('bounds a count read from a delivery: above 1,000,000 it reads as the bound and says so', () => {
    expect(readRetryCount({ 'x-retry-count': 1_000_000 })).to.equal(1_000_000);
    expect(readRetryCount({ 'x-retry-count': 100_000_000_000 })).to.equal(1_000_000);
    expect(readCountHeader({ 'x-retry-count': 1e11 }, 'x-retry-count')).to.deep.equal({
      value: 1_000_000,
      aboveBound: true,
    });
    expect(readCountHeader({ 'x-retry-count': '100000000000' }, 'x-retry-count')).to.deep.equal({
      value: 1_000_000,
      aboveBound: true,
    });
    expect(readCountHeader({ 'x-retry-count': 1e300 }, 'x-retry-count').aboveBound).to.equal(true);
    for (const garbage of [Infinity, NaN, -1e11, 2.5, 'lots', undefined]) {
      expect(
        readCountHeader({ 'x-retry-count': garbage }, 'x-retry-count'),
        String(garbage),
      ).to.deep.equal({ value: 0, aboveBound: false });
    }
    expect(readCount({ 'x-deferrals': 1e11 }, 'x-deferrals')).to.equal(1_000_000);
  });

  it('reads any counting header the same way', () => {
    expect(readCount({ 'x-deferrals': 4 }, 'x-deferrals')).to.equal(4);
    expect(readCount({ 'x-deferrals': 4 }, 'x-retry-count')).to.equal(0);
  });

  it("recognises the broker's dead-lettering record in any case, and drops it and the delivery count from copies", () => {
    for (const name of ['x-death', 'X-Death', 'x-first-death-queue', 'x-last-death-reason']) {
      expect(isBrokerDeathHeader(name), name).to.equal(true);
    }
    for (const name of ['x-deaths', 'x-first-death-', 'x-retry-count', 'death', 'x-error']) {
      expect(isBrokerDeathHeader(name), name).to.equal(false);
    }
    expect(
      withoutBrokerHeaders({
        'x-death': [],
        'x-first-death-exchange': '',
        'x-delivery-count': 2,
        'x-keep': 1,
      }),
    ).to.deep.equal({ 'x-keep': 1 });
    expect(withoutBrokerHeaders(undefined)).to.deep.equal({});
  });

  it('carries the identifying properties of a message, and nothing of the wrong type', () => {
    const identifying = {
      messageId: 'evt-1',
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      correlationId: 'c-1',
      timestamp: 1700000000,
      type: 'game_event',
      appId: 'backend',
      priority: 3,
    };
    const delivered = { ...identifying, deliveryMode: 1, expiration: '500', headers: { a: 1 } };
    expect(carriedProperties(delivered)).to.deep.equal(identifying);
    const odd = carriedProperties({ messageId: 7, timestamp: '2024', priority: null });
    expect(odd.messageId).to.equal(undefined);
    expect(odd.timestamp).to.equal(undefined);
    expect(odd.priority).to.equal(undefined);
  });
});
