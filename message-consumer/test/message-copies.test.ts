import type { MessageProperties } from 'amqplib';
import { expect } from 'chai';
import { copyProperties } from '../src/data-access/message-copies.js';

function delivery(properties: Record<string, unknown>): MessageProperties {
  return properties as unknown as MessageProperties;
}

describe('copies for the retry tiers and the DLQ', () => {
  it('keep the id, content type and headers of the original, and are always persistent', () => {
    const props = copyProperties(
      delivery({
        messageId: 'evt-1',
        contentType: 'application/json',
        deliveryMode: 1,
        headers: { 'x-trace': 'abc', 'x-retry-count': 1 },
      }),
      { headers: { 'x-retry-count': 2 } },
    );
    expect(props).to.include({
      messageId: 'evt-1',
      contentType: 'application/json',
      persistent: true,
    });
    expect(props.headers).to.deep.equal({ 'x-trace': 'abc', 'x-retry-count': 2 });
  });

  it("leave out the broker's own dead-letter headers", () => {
    const props = copyProperties(
      delivery({
        headers: {
          'x-death': [{ count: 1 }],
          'x-first-death-queue': 'q.retry',
          'x-last-death-reason': 'expired',
          'x-keep': 1,
        },
      }),
      { headers: {} },
    );
    expect(props.headers).to.deep.equal({ 'x-keep': 1 });
  });

  it('carry no per-message expiration, even when the original had one', () => {
    const props = copyProperties(delivery({ expiration: '500' }), { headers: {} });
    expect(props.expiration).to.equal(undefined);
  });
});
