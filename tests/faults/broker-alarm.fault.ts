// A broker resource alarm during a run: RabbitMQ blocks every connection that publishes (the
// relay's, the consumer's copies) for 10 s. The consumer takes deliveries and acks them on a
// connection that never publishes, so completions keep flowing; retry copies that cannot be
// confirmed hand their message back; the relay keeps its events in the outbox until it can
// publish. Afterwards every task is completed and nothing is left in any queue.
import { randomUUID } from 'node:crypto';
import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import type mysql from 'mysql2/promise';
import { waitForNoOtherMocha } from './lib/broker-control.js';
import { createGames } from './lib/catalog.js';
import { MemoryAlarm } from './lib/memory-alarm.js';
import { FAULT_TOKEN, type RestartableBackend } from './lib/services.js';
import { FaultWorld, describeState } from './lib/world.js';

const GAMES = 400;
const TRANSIENT = 10;
const DURING_ALARM = 5;
const ALARM_MS = 10_000;

describe('a broker memory alarm during a run', function () {
  this.timeout(5 * 60_000);

  const alarm = new MemoryAlarm();
  let world: FaultWorld;
  let backend: RestartableBackend;

  before(async function () {
    // the alarm blocks every publisher on the broker, so nothing else may run meanwhile
    await waitForNoOtherMocha(10 * 60_000);
    world = await FaultWorld.open('alarm');
    backend = await world.backend();
    await world
      .consumers({
        BACKEND_URL: backend.url,
        INTERNAL_API_TOKEN: FAULT_TOKEN,
        PREFETCH: 20,
        PROCESSING_DELAY_MS: 500,
        RETRY_DELAY_MS: 200,
        MAX_RETRIES: 3,
        LOG_LEVEL: 'error',
      })
      .spawn();
  });

  after(async function () {
    await alarm.clear();
    await world?.close();
  });

  const count = async (where: string, params: unknown[] = [], table = 'processing_tasks') => {
    const [[row]] = await world.pool.query<mysql.RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`,
      params,
    );
    return Number(row!.n);
  };

  it('keeps acks flowing, loses nothing, and completes everything once it clears', async function () {
    // a backlog the consumer needs about 10 s for (20 at a time, 0.5 s each), then messages that
    // fail once, so that they need a retry copy while publishing is blocked
    await createGames(backend, GAMES);
    const transient = Array.from({ length: TRANSIENT }, () => `alarm-transient-${randomUUID()}`);
    await world.publish(
      transient.map((messageId) => ({
        messageId,
        body: { type: 'custom', message: 'x', simulate: 'transient', failAttempts: 1 },
      })),
    );
    await waitFor('the relay to publish every event', async () =>
      (await count('published_at IS NULL', [], 'outbox_events')) === 0 ? true : undefined,
    );
    await waitFor('the consumer to be busy', async () =>
      (await count("status = 'completed'")) > 0 ? true : undefined,
    );

    const before = await count("status = 'completed'");
    await alarm.raise();
    const raisedAt = Date.now();
    // writes keep being accepted: their events wait in the outbox
    await createGames(backend, DURING_ALARM, 1);
    await new Promise((r) => setTimeout(r, ALARM_MS - (Date.now() - raisedAt)));
    const completedDuring = (await count("status = 'completed'")) - before;
    await alarm.clear();

    // acks were not blocked: up to 20 × 2 a second could complete; far fewer is still proof
    expect(completedDuring, 'tasks completed while publishing was blocked').to.be.at.least(50);
    const total = GAMES + TRANSIENT + DURING_ALARM;
    const settled = await world.settle({ tasks: total, timeoutMs: 120_000 });
    expect(settled.outcome, describeState(settled.state)).to.equal('settled');
    expect(settled.state.tasks, describeState(settled.state)).to.have.length(total);
    // each failed once, so each needed a retry copy; those made during the alarm were handed back
    expect(
      await count("message_id IN (?) AND status = 'completed' AND attempts >= 2", [transient]),
    ).to.equal(TRANSIENT);
    expect(settled.state.dlq, 'nothing parked').to.equal(0);
    console.log(
      `    ${completedDuring} tasks completed during the ${ALARM_MS / 1000} s alarm; ` +
        `all ${settled.state.tasks.length} completed ${((Date.now() - raisedAt) / 1000).toFixed(1)} s after it was raised; ` +
        describeState(settled.state),
    );
  });
});
