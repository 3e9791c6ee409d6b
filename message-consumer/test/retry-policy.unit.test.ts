import { expect } from 'chai';
import { PermanentError, TransientError } from '../src/domain/failures.js';
import {
  MAX_RETRY_DELAY_MS,
  decideFailure,
  readRetryCount,
  retryDelayMs,
} from '../src/domain/retry-policy.js';

describe('retry policy', () => {
  it('doubles the delay with every retry, starting from the base delay', () => {
    expect([0, 1, 2, 3].map((n) => retryDelayMs(n, 1000))).to.deep.equal([1000, 2000, 4000, 8000]);
  });

  it('caps the delay at one minute however many retries came before', () => {
    expect(retryDelayMs(6, 1000)).to.equal(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(5000, 1000)).to.equal(MAX_RETRY_DELAY_MS);
  });

  it('keeps a configured base delay longer than the cap instead of shortening it', () => {
    expect(retryDelayMs(0, 120_000)).to.equal(120_000);
    expect(retryDelayMs(3, 120_000)).to.equal(120_000);
  });

  it('retries at once when the base delay is zero', () => {
    expect(retryDelayMs(2, 0)).to.equal(0);
  });

  it('reads x-retry-count, treating absent or garbage values as zero', () => {
    expect(readRetryCount(undefined)).to.equal(0);
    expect(readRetryCount({})).to.equal(0);
    expect(readRetryCount({ 'x-retry-count': 2 })).to.equal(2);
    expect(readRetryCount({ 'x-retry-count': '3' })).to.equal(3);
    expect(readRetryCount({ 'x-retry-count': -1 })).to.equal(0);
    expect(readRetryCount({ 'x-retry-count': 1.5 })).to.equal(0);
    expect(readRetryCount({ 'x-retry-count': 'many' })).to.equal(0);
  });

  it('when a transient failure has retries left, then it is retried with the next count and delay', () => {
    const decision = decideFailure(new TransientError('backend down'), 1, 3, 100);
    expect(decision).to.deep.equal({
      action: 'retry',
      nextRetryCount: 2,
      delayMs: 200,
      reason: 'backend down',
    });
  });

  it('when the retries are spent, then the message is parked saying so', () => {
    const decision = decideFailure(new TransientError('backend down'), 3, 3, 100);
    expect(decision).to.deep.equal({
      action: 'park',
      reason: 'gave up after 3 retries: backend down',
    });
  });

  it('when the failure is permanent, then it is parked at once whatever the count', () => {
    expect(decideFailure(new PermanentError('bad'), 0, 3, 100)).to.deep.equal({
      action: 'park',
      reason: 'bad',
    });
  });

  it('treats an unexpected error as transient, so a bug does not lose messages at once', () => {
    expect(decideFailure(new Error('oops'), 0, 3, 100).action).to.equal('retry');
  });

  it('with MAX_RETRIES 0, then the first transient failure parks', () => {
    expect(decideFailure(new TransientError('x'), 0, 0, 100).action).to.equal('park');
  });
});
