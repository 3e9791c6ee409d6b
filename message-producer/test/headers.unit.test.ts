import { SYSTEM_HEADERS } from '@retro/common';
import { expect } from 'chai';
import { messageHeadersSchema } from '../src/domain/headers.js';
import { replayHeaders } from '../src/domain/replay-copy.js';

/** What the API would answer for these headers: the refused names and why, or null when accepted. */
function refusals(headers: Record<string, unknown>) {
  const result = messageHeadersSchema.safeParse(headers);
  return result.success
    ? null
    : result.error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
}

const BROKER_HEADERS = ['x-death', 'x-first-death-queue', 'x-last-death-reason'];

describe('message producer: headers a tester may set', () => {
  for (const name of [...SYSTEM_HEADERS, ...BROKER_HEADERS]) {
    const shouting = name.toUpperCase();
    it(`when a tester sets ${name} (or ${shouting}), then it is refused naming the header`, () => {
      expect(refusals({ [name]: 'forged' })).to.deep.equal([
        { field: name, message: `"${name}" is reserved: only the system and the broker write it` },
      ]);
      expect(refusals({ [shouting]: 'forged' })![0]!.field).to.equal(shouting);
    });
  }

  it('when a tester sets x-retry-count to a non-negative integer and headers of their own, then they are accepted', () => {
    expect(refusals({ 'x-retry-count': 3, 'x-trace': 't-1', 'x-deathless': true })).to.equal(null);
  });

  it('when x-retry-count is not a non-negative integer, then it is refused', () => {
    expect(refusals({ 'x-retry-count': 1.5 })).to.deep.equal([
      { field: 'x-retry-count', message: 'must be a non-negative integer' },
    ]);
  });
});

describe('message producer: headers of a replayed message', () => {
  it('when a parked message is replayed, then the system, broker and retry headers are dropped and the others kept', () => {
    const parked = {
      'x-error': 'gave up',
      'x-failed-at': '2024-05-01T10:00:00.000Z',
      'x-replayed-at': '2024-04-01T10:00:00.000Z',
      'x-deferrals': 4,
      'x-retry-count': 3,
      'x-death': [
        {
          queue: 'game_events.retry',
          count: 1,
          reason: 'expired' as const,
          time: { '!': 'timestamp' as const, value: 1714557600 },
          exchange: '',
          'routing-keys': ['game_events.retry'],
        },
      ],
      'x-first-death-queue': 'game_events.retry',
      'x-last-death-reason': 'expired',
      'x-trace': 't-1',
    };

    expect(replayHeaders(parked)).to.deep.equal({ 'x-trace': 't-1' });
  });
});
