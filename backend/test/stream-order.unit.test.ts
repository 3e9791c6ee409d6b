import type { ProcessingTask, TaskStatus } from '@retro/common';
import { expect } from 'chai';
import { LastSent } from '../src/live/last-sent.js';
import { comesAfter, formatPosition, parsePosition, positionOf } from '../src/live/position.js';

const task = (status: TaskStatus, updatedAt: string, messageId = 'task-1'): ProcessingTask => ({
  messageId,
  type: 'game',
  gameId: 1,
  action: 'create',
  status,
  attempts: 1,
  lastError: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt,
  stalled: false,
});

const T1 = '2026-01-01T00:00:01.000Z';
const T2 = '2026-01-01T00:00:02.000Z';

describe('live stream order of task states', () => {
  it('when a newer state was sent, then an older one counts as older, whatever its status', () => {
    const sent = new LastSent(10);
    sent.record(task('processing', T2));
    expect(sent.compare(task('pending', T1))).to.equal(-1);
    expect(sent.compare(task('completed', T1)), 'stamped earlier').to.equal(-1);
    expect(sent.compare(task('processing', T2))).to.equal(0);
    expect(sent.compare(task('completed', T2))).to.equal(1);
  });

  it('when two states share a millisecond, then the further status is the newer', () => {
    const sent = new LastSent(10);
    sent.record(task('completed', T1));
    expect(sent.compare(task('processing', T1))).to.equal(-1);
  });

  it('when a failed task is retried, then its later pending state counts as newer', () => {
    const sent = new LastSent(10);
    sent.record(task('failed', T1));
    expect(sent.compare(task('pending', T2))).to.equal(1);
  });

  it('treats message ids that differ only in case as one task, as the database does', () => {
    const sent = new LastSent(10);
    sent.record(task('completed', T2, 'Abc'));
    expect(sent.compare(task('processing', T1, 'abc'))).to.equal(-1);
  });

  it('forgets the task changed longest ago once over its bound', () => {
    const sent = new LastSent(2);
    sent.record(task('pending', T1, 'a'));
    sent.record(task('pending', T1, 'b'));
    sent.record(task('processing', T2, 'a'));
    sent.record(task('pending', T1, 'c'));
    expect(sent.size).to.equal(2);
    expect(sent.compare(task('pending', T1, 'b')), 'b was the oldest change').to.equal(1);
    expect(sent.compare(task('pending', T1, 'a'))).to.equal(-1);
  });
});

describe('live stream positions (SSE ids)', () => {
  it('round-trips a position through its event id', () => {
    const position = positionOf(task('pending', T1, 'evt-1.2:3'));
    const id = formatPosition(position);
    expect(id).to.equal(`${Date.parse(T1)}-evt-1.2:3`);
    expect(parsePosition(id)).to.deep.equal(position);
    expect(parsePosition(`${Date.parse(T1)}-`)).to.deep.equal({ at: new Date(T1), messageId: '' });
  });

  it('refuses ids it did not write', () => {
    for (const id of [
      '',
      'abc',
      '123',
      '-x',
      '12-a b',
      `1-${'x'.repeat(65)}`,
      '1234567890123456-x',
    ]) {
      expect(parsePosition(id), id).to.equal(undefined);
    }
  });

  it('orders positions by time, then by message id', () => {
    const at = (ms: number, messageId: string) => ({ at: new Date(ms), messageId });
    expect(comesAfter(at(2, 'a'), at(1, 'z'))).to.equal(true);
    expect(comesAfter(at(1, 'b'), at(1, 'A'))).to.equal(true);
    expect(comesAfter(at(1, 'a'), at(1, 'a'))).to.equal(false);
    expect(comesAfter(at(1, 'a'), at(1, ''))).to.equal(true);
  });
});
