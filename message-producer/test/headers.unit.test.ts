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

  it('when x-retry-count is not an integer from 0 to 1,000,000, then it is refused', () => {
    for (const bad of [1.5, -1, 1_000_001, 100_000_000_000, '3']) {
      expect(refusals({ 'x-retry-count': bad }), String(bad)).to.deep.equal([
        { field: 'x-retry-count', message: 'must be an integer from 0 to 1000000' },
      ]);
    }
    expect(refusals({ 'x-retry-count': 1_000_000 })).to.equal(null);
    expect(refusals({ 'x-retry-count': 0 })).to.equal(null);
  });

  it('when there are more than 16 headers, a name is too long or a text value too big, then each is refused saying the limit', () => {
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`x-h${i}`, i]));
    expect(refusals(many)).to.deep.equal([{ field: '', message: 'at most 16 headers' }]);
    expect(refusals(Object.fromEntries(Object.entries(many).slice(0, 16)))).to.equal(null);
    const long = `x-${'n'.repeat(63)}`;
    expect(refusals({ [long]: 1 })).to.deep.equal([
      { field: long, message: 'header names are 1 to 64 letters, digits, "_", "." or "-"' },
    ]);
    expect(refusals({ [`x-${'n'.repeat(62)}`]: 1 })).to.equal(null);
    expect(refusals({ 'x-note': 'v'.repeat(501) })).to.deep.equal([
      { field: 'x-note', message: 'a text value may be at most 500 characters' },
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
