import { expect } from 'chai';
import { acceptsTransition } from '../src/domain/tasks.js';

describe('task status transitions', () => {
  const cases: [string, string, boolean, boolean][] = [
    ['pending', 'processing', false, true],
    ['processing', 'processing', false, true],
    ['processing', 'completed', false, true],
    ['processing', 'failed', false, true],
    ['processing', 'pending', false, false],
    ['completed', 'processing', false, false],
    ['failed', 'completed', false, false],
    ['failed', 'processing', true, true],
    ['completed', 'processing', true, false],
  ];
  for (const [from, to, reopen, allowed] of cases) {
    it(`${allowed ? 'allows' : 'refuses'} ${from} → ${to}${reopen ? ' on a replay' : ''}`, () => {
      expect(acceptsTransition(from as never, to as never, reopen)).to.equal(allowed);
    });
  }
});
