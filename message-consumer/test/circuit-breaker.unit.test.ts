import { expect } from 'chai';
import { CircuitBreaker } from '../src/domain/circuit-breaker.js';
import { DownstreamError } from '../src/domain/failures.js';

const down = (kind: DownstreamError['kind'] = 'unreachable') =>
  new DownstreamError(kind, `backend ${kind}`);

/** A breaker whose probe fails `failures` times, then passes; records when each probe ran. */
function breakerWithProbe(failures: number, minDelayMs = 10, maxDelayMs = 40) {
  const probes: number[] = [];
  const started = Date.now();
  const breaker = new CircuitBreaker({
    minDelayMs,
    maxDelayMs,
    probe: async () => {
      probes.push(Date.now() - started);
      if (probes.length <= failures) throw down('server_error');
    },
  });
  return { breaker, probes };
}

const closed = (breaker: CircuitBreaker) =>
  new Promise<void>((resolve) => breaker.once('close', resolve));

describe('circuit breaker', () => {
  it('opens once on the first failure, and a later failure while open only updates the reason', () => {
    const { breaker } = breakerWithProbe(1000);
    const opened: string[] = [];
    breaker.on('open', (trip) => opened.push(trip.cause));
    breaker.open(down('timeout'));
    breaker.open(down('unauthorized'));
    expect(opened).to.deep.equal(['timeout']);
    expect(breaker.trip).to.include({ cause: 'unauthorized', reason: 'backend unauthorized' });
    return breaker.stop();
  });

  it('probes with doubling waits capped at maxDelayMs, then closes and releases every waiter', async () => {
    const { breaker, probes } = breakerWithProbe(4, 10, 40);
    breaker.open(down());
    const waiting = [breaker.whenClosed(), breaker.whenClosed()];
    await closed(breaker);
    await Promise.all(waiting);
    expect(breaker.isOpen).to.equal(false);
    expect(probes).to.have.length(5);
    const gaps = probes.slice(1).map((at, i) => at - probes[i]!);
    // 20, 40, 40, 40: doubled from 10, then capped (timers may fire a little late, never early)
    expect(gaps[0]).to.be.at.least(19);
    for (const gap of gaps.slice(1)) expect(gap).to.be.at.least(39);
    expect(Math.max(...gaps)).to.be.below(200);
  });

  it('answers whenClosed at once while closed, and rejects a wait whose signal aborts', async () => {
    const { breaker } = breakerWithProbe(1000);
    await breaker.whenClosed();
    breaker.open(down());
    const aborter = new AbortController();
    const wait = breaker.whenClosed(aborter.signal);
    aborter.abort(new Error('stopping'));
    const error = await wait.catch((e: unknown) => e as Error);
    expect(error).to.be.instanceOf(Error).with.property('message', 'stopping');
    await breaker.stop();
  });

  it('stops probing when stopped and does not open again afterwards', async () => {
    const { breaker, probes } = breakerWithProbe(1000, 10, 10);
    breaker.open(down());
    await new Promise((r) => setTimeout(r, 50));
    await breaker.stop();
    const count = probes.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(probes).to.have.length(count);
    expect(count).to.be.greaterThan(0);
  });
});
