import { expect } from 'chai';
import { withLogContext } from '../src/logger.js';
import { capturingLogger as capture } from '../src/testing/log-capture.js';

const capturingLogger = () => capture('test');

describe('logger', () => {
  it('writes JSON with the service, level, message and timestamp', async () => {
    const { logger, lines } = capturingLogger();
    logger.info('hello', { gameId: 7 });
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).to.include({ service: 'test', level: 'info', message: 'hello', gameId: 7 });
    expect(lines[0]!.timestamp).to.be.a('string');
  });

  it('adds the correlation and event ids of the surrounding context to every line', async () => {
    const { logger, lines } = capturingLogger();
    withLogContext({ correlationId: 'req-1' }, () =>
      withLogContext({ eventId: 'evt-1' }, () => logger.info('inside')),
    );
    logger.info('outside');
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).to.include({ correlationId: 'req-1', eventId: 'evt-1' });
    expect(lines[1]).to.not.have.any.keys('correlationId', 'eventId');
  });

  it('writes an error passed as a field in full, with its code and cause, not as {}', async () => {
    const { logger, lines } = capturingLogger();
    const cause = Object.assign(new Error('deadlock'), { code: 'ER_LOCK_DEADLOCK' });
    logger.error('request failed', { error: new Error('write failed', { cause }) });
    await new Promise((r) => setImmediate(r));
    const error = lines[0]!.error as Record<string, unknown>;
    expect(error).to.include({ name: 'Error', message: 'write failed' });
    expect(error.stack).to.match(/write failed/);
    expect(error.cause).to.include({ message: 'deadlock', code: 'ER_LOCK_DEADLOCK' });
  });

  it('writes a line whose fields JSON cannot hold (a cycle, a BigInt) instead of throwing', async () => {
    const { logger, lines } = capturingLogger();
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    logger.info('odd fields', { cyclic, big: 10n });
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).to.include({ message: 'odd fields', big: '10' });
    expect(lines[0]!.cyclic).to.deep.equal({ name: 'loop', self: '[Circular]' });
  });

  it('writes nothing for a level below its own, and writes it once the level is lowered', async () => {
    const { logger, lines } = capture('test', 'info');
    logger.debug('hidden', { gameId: 1 });
    logger.http('hidden too');
    logger.level = 'debug';
    logger.debug('shown', { gameId: 2 });
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => l.message)).to.deep.equal(['shown']);
  });
});
