import { expect } from 'chai';
import { isDatabaseUnavailable, toAppError } from '../src/index.js';

/** An error as mysql2 gives it: connection-level failures are marked `fatal`. */
const withCode = (code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(code), {
    code,
    ...(/^(E[A-Z]|PROTOCOL_)/.test(code) && { fatal: true }),
    ...extra,
  });

describe('a database outage as the API reports it', () => {
  for (const code of [
    'ECONNREFUSED',
    'ECONNRESET',
    'PROTOCOL_CONNECTION_LOST',
    'ER_SERVER_SHUTDOWN',
    'ER_CONNECTION_KILLED',
    'ETIMEDOUT',
  ]) {
    it(`${code} becomes 503 DATABASE_UNAVAILABLE`, () => {
      const error = toAppError(withCode(code));
      expect({ status: error.status, code: error.code }).to.deep.equal({
        status: 503,
        code: 'DATABASE_UNAVAILABLE',
      });
    });
  }

  it('a pool whose wait queue is full, or wrapped causes, count as unavailable too', () => {
    expect(isDatabaseUnavailable(new Error('Queue limit reached.'))).to.equal(true);
    expect(isDatabaseUnavailable(new Error('wrapped', { cause: withCode('ECONNRESET') }))).to.equal(
      true,
    );
    expect(
      isDatabaseUnavailable(Object.assign(new Error('handshake cut'), { fatal: true })),
    ).to.equal(true);
  });

  it('a query the database refuses is not an outage: it stays a 500', () => {
    for (const code of ['ER_PARSE_ERROR', 'ER_DUP_ENTRY', 'ER_LOCK_DEADLOCK']) {
      expect(isDatabaseUnavailable(withCode(code)), code).to.equal(false);
      expect(toAppError(withCode(code)).status, code).to.equal(500);
    }
    expect(isDatabaseUnavailable(undefined)).to.equal(false);
    // the same code from something other than mysql2 (an HTTP call) is not the database
    expect(isDatabaseUnavailable(withCode('ECONNREFUSED', { fatal: undefined }))).to.equal(false);
  });
});
