import { expect } from 'chai';
import { GAME_ACTIONS } from '@retro/common/api';
import { checkComposer, type ComposerValues } from '../src/producer/payload.js';

const values = (overrides: Partial<ComposerValues>): ComposerValues => ({
  kind: 'custom',
  editor: '{"message": "hello"}',
  sendText: false,
  headers: '',
  count: '1',
  ...overrides,
});

describe("the producer page's checks (as the API applies them)", () => {
  it('builds the request of a valid custom message, with its headers', () => {
    const check = checkComposer(values({ headers: '{"x-retry-count": 2}' }));
    expect(check.ready).to.deep.equal({
      kind: 'custom',
      request: { message: 'hello', headers: { 'x-retry-count': 2 } },
      count: 1,
    });
  });

  it('accepts every game action of the contract, and only those', () => {
    for (const action of GAME_ACTIONS) {
      const editor = JSON.stringify({ gameId: 1, action });
      expect(checkComposer(values({ kind: 'game-event', editor })).bodyError, action).to.equal(
        null,
      );
    }
    const wrong = checkComposer(
      values({ kind: 'game-event', editor: '{"gameId":1,"action":"x"}' }),
    );
    expect(wrong.bodyError).to.equal(`"action" must be one of ${GAME_ACTIONS.join(', ')}`);
    expect(wrong.ready).to.equal(null);
  });

  it("refuses an x-retry-count that is not an integer from 0 to 1,000,000, in the API's words", () => {
    for (const bad of ['-1', '1.5', '"2"', '1000001', '100000000000']) {
      const check = checkComposer(values({ headers: `{"x-retry-count": ${bad}}` }));
      expect(check.headersError, bad).to.equal(
        '"x-retry-count" must be an integer from 0 to 1000000',
      );
    }
    expect(checkComposer(values({ headers: '{"x-retry-count": 1000000}' })).headersError).to.equal(
      null,
    );
  });

  it('refuses more than 16 headers, as the API does', () => {
    const many = JSON.stringify(
      Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`h${i}`, i])),
    );
    expect(checkComposer(values({ headers: many })).headersError).to.equal('At most 16 headers');
  });

  it('sends the text of a raw message as typed, and refuses a count out of range', () => {
    const raw = checkComposer(values({ kind: 'raw', editor: '{not json', sendText: true }));
    expect(raw.ready?.request).to.deep.equal({ body: '{not json' });
    for (const count of ['0', '10001', '2.5']) {
      expect(checkComposer(values({ count })).countOk, count).to.equal(false);
    }
  });
});
