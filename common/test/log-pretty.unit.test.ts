import { expect } from 'chai';
import { formatPretty } from '../src/log-pretty.js';
import { logFormat } from '../src/logger.js';

describe('development log lines', () => {
  it('when LOG_FORMAT is auto, then a terminal gets pretty lines and anything else JSON', () => {
    expect(logFormat('auto', true)).to.equal('pretty');
    expect(logFormat('auto', false)).to.equal('json');
    expect(logFormat('json', true)).to.equal('json');
    expect(logFormat('pretty', false)).to.equal('pretty');
  });

  it('when an event is written for a person, then it is one line with time, service, level, message, fields and ids', () => {
    const line = formatPretty(
      {
        level: 'warn',
        message: 'publish failed',
        service: 'backend',
        timestamp: '2026-05-01T10:00:01.234Z',
        correlationId: 'req-1',
        eventId: 'evt-9',
        queue: 'game_events',
        error: {
          name: 'Error',
          message: 'broker away',
          code: 'ECONNRESET',
          stack: 'Error\n  at x',
        },
      },
      false,
    );
    expect(line).not.to.include('\n');
    expect(line).to.match(/^10:00:01\.234 backend +warn +publish failed /);
    expect(line).to.include('queue=game_events');
    expect(line).to.include('error="Error: broker away (ECONNRESET)"');
    expect(line).to.match(/\[req req-1 event evt-9\]$/);
  });

  it('when colour is on, then the level is coloured', () => {
    const line = formatPretty({ level: 'error', message: 'x', service: 's', timestamp: '' });
    expect(line).to.include('\x1b[31merror');
  });
});
