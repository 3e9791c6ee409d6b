import { expect } from 'chai';
import {
  carriedProperties,
  isBrokerDeathHeader,
  readCount,
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
