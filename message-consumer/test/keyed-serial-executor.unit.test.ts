import { expect } from 'chai';
import { KeyedSerialExecutor } from '../src/domain/keyed-serial-executor.js';

/** A task the test finishes by hand, recording when it starts. */
function gate(log: string[], name: string) {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return {
    task: () => {
      log.push(`start ${name}`);
      return done.then(() => {
        log.push(`end ${name}`);
        return name;
      });
    },
    open,
    fail,
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('keyed serial executor', () => {
  it('runs tasks of one key one after another, in the order they arrived', async () => {
    const executor = new KeyedSerialExecutor();
    const log: string[] = [];
    const a = gate(log, 'a1');
    const b = gate(log, 'a2');
    const first = executor.run('game:1', a.task);
    const second = executor.run('game:1', b.task);
    await tick();
    expect(log).to.deep.equal(['start a1']);
    a.open();
    expect(await first).to.equal('a1');
    await tick();
    expect(log).to.deep.equal(['start a1', 'end a1', 'start a2']);
    b.open();
    expect(await second).to.equal('a2');
  });

  it('runs tasks of different keys at the same time', async () => {
    const executor = new KeyedSerialExecutor();
    const log: string[] = [];
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    const both = Promise.all([executor.run('game:1', a.task), executor.run('game:2', b.task)]);
    await tick();
    expect(log).to.deep.equal(['start a', 'start b']);
    b.open();
    a.open();
    expect(await both).to.deep.equal(['a', 'b']);
  });

  it('when a task fails, then the next task of that key still runs and the failure reaches its caller', async () => {
    const executor = new KeyedSerialExecutor();
    const log: string[] = [];
    const a = gate(log, 'a');
    const failed = executor.run('k', a.task);
    const next = executor.run('k', async () => 'next');
    a.fail(new Error('boom'));
    let caught: unknown;
    await failed.catch((error: unknown) => (caught = error));
    expect((caught as Error).message).to.equal('boom');
    expect(await next).to.equal('next');
  });

  it('counts the tasks of a key running or waiting, and forgets the key once they settled', async () => {
    const executor = new KeyedSerialExecutor();
    const log: string[] = [];
    const a = gate(log, 'a');
    const first = executor.run('k', a.task);
    const second = executor.run('k', async () => 2);
    const other = executor.run('other', async () => 3);
    expect([executor.pending('k'), executor.pending('other')]).to.deep.equal([2, 1]);
    a.open();
    await Promise.all([first, second, other]);
    await tick();
    expect([executor.pending('k'), executor.pending('other')]).to.deep.equal([0, 0]);
  });
});
