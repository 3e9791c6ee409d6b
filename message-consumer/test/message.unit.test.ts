import { expect } from 'chai';
import { DEFAULT_FAIL_ATTEMPTS, legacyMessageId, parseMessage } from '../src/domain/message.js';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const event = { eventId: 'evt-1', gameId: 7, action: 'update', gameData: { title: 'Tetris' } };

describe('message parsing and classification', () => {
  it('takes the id from the messageId property first', () => {
    const parsed = parseMessage(json(event), 'prop-id');
    expect(parsed).to.deep.equal({
      ok: true,
      job: {
        task: { messageId: 'prop-id', type: 'game', gameId: 7, action: 'update' },
        key: 'game:7',
        simulation: { outcome: 'success', failAttempts: 0 },
        reopen: false,
      },
    });
  });

  it('marks a replayed parked message so its failed task may be processed again', () => {
    const parsed = parseMessage(json(event), 'prop-id', {
      'x-replayed-at': '2026-01-01T00:00:00Z',
    });
    expect(parsed.ok && parsed.job.reopen).to.equal(true);
  });

  it('accepts a game id sent as a string of digits, as the original producer could', () => {
    const parsed = parseMessage(json({ ...event, gameId: '12' }), undefined);
    expect(parsed.ok && parsed.job.task.gameId).to.equal(12);
  });

  it('falls back to the body eventId when the property is missing', () => {
    const parsed = parseMessage(json(event), undefined);
    expect(parsed.ok && parsed.job.task.messageId).to.equal('evt-1');
  });

  it('gives a message of the original producer (no id at all) a stable id from its body', () => {
    const body = json({ gameId: 3, action: 'create', gameData: {}, timestamp: '2024-01-01' });
    const parsed = parseMessage(body, undefined);
    expect(parsed.ok && parsed.job.task.messageId).to.equal(legacyMessageId(body));
    expect(legacyMessageId(body)).to.match(/^legacy-[0-9a-f]{40}$/);
    expect(legacyMessageId(body)).to.equal(legacyMessageId(Buffer.from(body)));
    expect(legacyMessageId(json({ gameId: 3, action: 'create', timestamp: 'other' }))).to.not.equal(
      legacyMessageId(body),
    );
  });

  it('keys game events by game, so events of one game run one at a time', () => {
    const a = parseMessage(json({ ...event, eventId: 'a' }), undefined);
    const b = parseMessage(json({ ...event, eventId: 'b' }), undefined);
    expect(a.ok && a.job.key).to.equal('game:7');
    expect(b.ok && b.job.key).to.equal('game:7');
  });

  it('keys custom messages by their own id and reads the simulated outcome', () => {
    const parsed = parseMessage(
      json({ type: 'custom', message: 'hi', simulate: 'transient', failAttempts: 5 }),
      'c-1',
    );
    expect(parsed).to.deep.equal({
      ok: true,
      job: {
        task: { messageId: 'c-1', type: 'custom', gameId: null, action: null },
        key: 'message:c-1',
        simulation: { outcome: 'transient', failAttempts: 5 },
        reopen: false,
      },
    });
  });

  it('defaults a transient simulation to failing the first two attempts', () => {
    const parsed = parseMessage(json({ type: 'custom', message: 'x', simulate: 'transient' }), 'c');
    expect(parsed.ok && parsed.job.simulation.failAttempts).to.equal(DEFAULT_FAIL_ATTEMPTS);
  });

  const poison: Array<[string, Buffer, unknown, RegExp, object | null]> = [
    ['invalid JSON', Buffer.from('{not json'), undefined, /not valid JSON/, null],
    [
      'invalid JSON that carries an id',
      Buffer.from('{'),
      'p-1',
      /not valid JSON/,
      { messageId: 'p-1', type: 'custom' },
    ],
    ['a JSON array', json([1, 2]), undefined, /not a JSON object/, null],
    ['a JSON string', json('hello'), undefined, /not a JSON object/, null],
    ['JSON null', json(null), undefined, /not a JSON object/, null],
    [
      'a game event without gameId',
      json({ eventId: 'e', action: 'create' }),
      undefined,
      /gameId/,
      { messageId: 'e', type: 'game', gameId: null, action: 'create' },
    ],
    [
      'a game event with an unknown action',
      json({ eventId: 'e', gameId: 4, action: 'explode' }),
      undefined,
      /action/,
      { messageId: 'e', type: 'game', gameId: 4, action: 'explode' },
    ],
    [
      'a game event with a string gameId',
      json({ eventId: 'e', gameId: 'four', action: 'create' }),
      undefined,
      /gameId/,
      { gameId: null },
    ],
    [
      'a custom message with an unknown simulation',
      json({ type: 'custom', message: 'x', simulate: 'explode' }),
      'c',
      /simulate/,
      { messageId: 'c', type: 'custom' },
    ],
    [
      'a custom message with a bad failAttempts',
      json({ type: 'custom', message: 'x', simulate: 'transient', failAttempts: 'two' }),
      'c',
      /failAttempts/,
      { messageId: 'c', type: 'custom' },
    ],
    ['an over-long messageId property', json(event), 'x'.repeat(65), /messageId/, null],
    ['a messageId property with a slash', json(event), 'a/b', /messageId/, null],
  ];

  for (const [shape, content, messageId, reason, task] of poison) {
    it(`when the message is ${shape}, then it is poison with a reason`, () => {
      const parsed = parseMessage(content, messageId);
      expect(parsed.ok).to.equal(false);
      if (parsed.ok) return;
      expect(parsed.reason).to.match(reason);
      if (task === null) expect(parsed.task).to.equal(null);
      else expect(parsed.task).to.include(task);
    });
  }
});
