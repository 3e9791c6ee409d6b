import { expect } from 'chai';
import type { DeadLetter } from '../src/data-access/archive-rows.js';
import { editedCopy, replayCopy } from '../src/domain/replay-copy.js';

const row = (fields: Partial<DeadLetter>): DeadLetter => ({
  id: 1,
  messageId: 'm-1',
  groupId: 'abcdefabcdef',
  type: 'game',
  gameId: 3,
  reason: 'invalid game event',
  parkedAt: '2024-05-01T10:00:00.000Z',
  archivedAt: '2024-05-01T10:00:01.000Z',
  retryCount: 2,
  bodyBytes: 10,
  bodyEncoding: 'utf8',
  bodyIsJson: true,
  replayedAt: null,
  replayCount: 0,
  replayedAs: null,
  fingerprint: 'invalid game event',
  body: '{"eventId":"m-1","gameId":3,"action":"explode"}',
  properties: { messageId: 'm-1', contentType: 'application/json', appId: 'backend', timestamp: 5 },
  headers: { 'x-error': 'invalid', 'x-failed-at': 'then', 'x-retry-count': 2, 'x-trace': 't' },
  ...fields,
});

describe('dead letters: replayed and edited copies (unit)', () => {
  it('a replay is the parked message as it was, with its id and properties, a fresh x-replayed-at and no failure record', () => {
    const copy = replayCopy(row({}), new Date('2024-06-01T00:00:00Z'));

    expect(copy.content.toString()).to.equal('{"eventId":"m-1","gameId":3,"action":"explode"}');
    expect(copy.properties).to.include({ messageId: 'm-1', appId: 'backend', timestamp: 5 });
    expect(copy.properties.headers).to.deep.equal({
      'x-trace': 't',
      'x-replayed-at': '2024-06-01T00:00:00.000Z',
    });
  });

  it('a body kept as base64 goes out as the same bytes', () => {
    const bytes = Buffer.from([0xff, 0x00, 0x7b]);
    const copy = replayCopy(row({ bodyEncoding: 'base64', body: bytes.toString('base64') }));
    expect(copy.content.equals(bytes)).to.equal(true);
  });

  it('an edited copy is a new message: new id, also as its event id, linked to the original by x-replay-of', () => {
    const parsed = { eventId: 'm-1', gameId: 3, action: 'process' };
    const copy = editedCopy(row({}), { text: JSON.stringify(parsed), parsed });

    const id = copy.properties.messageId;
    expect(id).not.to.equal('m-1');
    expect(JSON.parse(copy.content.toString())).to.deep.equal({ ...parsed, eventId: id });
    expect(copy.properties.headers).to.include({ 'x-replay-of': 'm-1', 'x-trace': 't' });
    expect(copy.properties.headers).to.have.property('x-replayed-at');
    expect(copy.properties.appId).to.equal('message-producer');
  });

  it('an edited body without an event id goes out exactly as typed, with the headers the tester gave', () => {
    const text = '{ "type": "custom",\n  "message": "fixed" }';
    const copy = editedCopy(row({}), { text, parsed: JSON.parse(text), headers: { 'x-n': 1 } });

    expect(copy.content.toString()).to.equal(text);
    expect(Object.keys(copy.properties.headers!)).to.have.members([
      'x-n',
      'x-replayed-at',
      'x-replay-of',
    ]);
  });
});
