import { expect } from 'chai';
import { toArchiveRecord } from '../src/domain/archived-message.js';
import { NO_REASON, fingerprintOf, groupIdOf } from '../src/domain/fingerprint.js';

describe('dead letters: fingerprints and archive records (unit)', () => {
  it('masks ids, numbers, UUIDs, hex, times and quoted values, so alike failures read the same', () => {
    expect(fingerprintOf('task 123 of game "Zelda"')).to.equal('task # of game "*"');
    expect(fingerprintOf('task 9 of game "Metroid 2"')).to.equal('task # of game "*"');
    expect(
      fingerprintOf(
        'report for 3f2b8c1e-0d4a-4e8b-9a51-2c7e6f1d0b9a refused at 2024-05-01T10:00:00.123Z',
      ),
    ).to.equal('report for # refused at #');
    expect(fingerprintOf("legacy-9f86d081884c7d659a2feaa0c55ad015 and 0xFF and 'x'")).to.equal(
      "legacy-# and # and '*'",
    );
    expect(fingerprintOf('took 12.5 s,   twice')).to.equal('took # s, twice');
  });

  it('keeps words that merely look like hex, and groups messages without a reason together', () => {
    expect(fingerprintOf('deadbeef cafe failed')).to.equal('deadbeef cafe failed');
    expect(fingerprintOf(null)).to.equal(NO_REASON);
    expect(fingerprintOf('  ')).to.equal(NO_REASON);
  });

  it('gives alike reasons one short group id and different ones different ids', () => {
    const a = groupIdOf(fingerprintOf('task 1 of game "A"'));
    expect(a).to.match(/^[0-9a-f]{12}$/);
    expect(groupIdOf(fingerprintOf('task 2 of game "B"'))).to.equal(a);
    expect(groupIdOf(fingerprintOf('body is not valid JSON'))).not.to.equal(a);
  });

  it('archives a body that is not UTF-8 as base64, and text as text, with its byte size', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    const binary = toArchiveRecord(bytes, { headers: {} } as never);
    expect(binary).to.include({ bodyEncoding: 'base64', body: bytes.toString('base64') });
    expect(binary).to.include({ bodyBytes: 4, bodyIsJson: false, type: 'other' });
    const text = toArchiveRecord(Buffer.from('{"gameId": "7", "action": "x"}'), {
      headers: {},
    } as never);
    expect(text).to.include({ bodyEncoding: 'utf8', bodyIsJson: true, type: 'game', gameId: 7 });
  });

  it('keys one parking of a message: a redelivery matches, a later parking of it does not', () => {
    const props = (failedAt: string) =>
      ({ messageId: 'm-1', timestamp: 1, headers: { 'x-failed-at': failedAt } }) as never;
    const body = Buffer.from('{"type":"custom","message":"x"}');
    const first = toArchiveRecord(body, props('2024-05-01T10:00:00.000Z'));
    const again = toArchiveRecord(body, props('2024-05-01T10:00:00.000Z'));
    const later = toArchiveRecord(body, props('2024-05-01T11:00:00.000Z'));
    expect(first.archiveKey.equals(again.archiveKey)).to.equal(true);
    expect(first.archiveKey.equals(later.archiveKey)).to.equal(false);
    expect(first.parkedAt.toISOString()).to.equal('2024-05-01T10:00:00.000Z');
    expect(first.type).to.equal('custom');
  });

  it('makes any header JSON: byte arrays as text or base64, nested tables as objects', () => {
    const record = toArchiveRecord(Buffer.from('x'), {
      headers: {
        'x-error': Buffer.from('broken "thing" 42'),
        'x-bytes': Buffer.from([0xff]),
        'x-death': [{ count: 1, queue: 'q', time: { '!': 'timestamp', value: 5 } }],
      },
    } as never);
    expect(record.reason).to.equal('broken "thing" 42');
    expect(record.fingerprint).to.equal('broken "*" #');
    expect(record.headers['x-bytes']).to.deep.equal({ base64: '/w==' });
    expect(JSON.parse(JSON.stringify(record.headers))).to.deep.equal(record.headers);
  });

  it('gives a message the broker dead-lettered by itself (a delivery limit) the reason the broker gave', () => {
    const record = toArchiveRecord(Buffer.from('{}'), {
      headers: {
        'x-first-death-reason': 'delivery_limit',
        'x-first-death-queue': 'game_events',
        'x-retry-count': '2',
      },
    } as never);
    expect(record.reason).to.equal(
      'dead-lettered by the broker: delivery limit reached on game_events',
    );
    expect(record.retryCount).to.equal(2);
  });

  it('reads the newest dead-lettering from x-death: a retry copy back from its tier by TTL, then past the delivery limit', () => {
    const record = toArchiveRecord(Buffer.from('{}'), {
      headers: {
        'x-death': [
          { count: 1, reason: 'delivery_limit', queue: 'game_events', exchange: '' },
          { count: 3, reason: 'expired', queue: 'game_events.retry.1s', exchange: '' },
        ],
        'x-first-death-reason': 'expired',
        'x-first-death-queue': 'game_events.retry.1s',
        'x-delivery-count': 100,
      },
    } as never);
    expect(record.reason).to.equal(
      'dead-lettered by the broker: delivery limit reached on game_events (after 100 deliveries; count 1)',
    );
    expect(record.fingerprint).to.equal(
      'dead-lettered by the broker: delivery limit reached on game_events (after # deliveries; count #)',
    );
    const third = toArchiveRecord(Buffer.from('{}'), {
      headers: {
        'x-death': [{ count: 3, reason: 'delivery_limit', queue: 'game_events' }],
        'x-delivery-count': 102,
      },
    } as never);
    expect(third.groupId, 'one failure group whatever the count').to.equal(record.groupId);
  });

  for (const [reason, what] of [
    ['rejected', 'rejected without requeue'],
    ['expired', 'message TTL expired'],
    ['maxlen', 'queue length limit reached'],
    ['some_new_reason', 'reason "some_new_reason"'],
  ]) {
    it(`names a broker dead-lettering for ${reason} with its queue and count`, () => {
      const record = toArchiveRecord(Buffer.from('{}'), {
        headers: { 'x-death': [{ count: 2, reason: Buffer.from(reason), queue: 'q.main' }] },
      } as never);
      expect(record.reason).to.equal(`dead-lettered by the broker: ${what} on q.main (count 2)`);
    });
  }

  it("prefers the consumer's own x-error to the broker record", () => {
    const record = toArchiveRecord(Buffer.from('{}'), {
      headers: { 'x-error': 'mine', 'x-death': [{ count: 1, reason: 'expired', queue: 'q' }] },
    } as never);
    expect(record.reason).to.equal('mine');
  });

  it('keeps what the archive columns hold: a count above 1,000,000 as the bound, a parking time past 9999 as the timestamp', () => {
    const record = toArchiveRecord(Buffer.from('{}'), {
      timestamp: 1714557600,
      headers: { 'x-retry-count': 1e11, 'x-failed-at': '+010000-01-01T00:00:00.000Z' },
    } as never);
    expect(record.retryCount).to.equal(1_000_000);
    expect(record.parkedAt.toISOString()).to.equal('2024-05-01T10:00:00.000Z');
    expect(record.headers).to.include({ 'x-retry-count': 1e11 });
    const now = new Date('2024-06-01T00:00:00.000Z');
    const noTime = toArchiveRecord(
      Buffer.from('{}'),
      { timestamp: 1e15 * 1000, headers: {} } as never,
      now,
    );
    expect(noTime.parkedAt).to.equal(now);
  });
});
