// The relay's "published" mark killed after the broker confirmed the batch: its transaction's
// connection is ended with `KILL <id>` from another connection while the mark's UPDATE runs (a
// trigger the test installs makes each mark wait, so the kill lands in it every time). The events
// stay unpublished and go out again; the relay must back off between tries, count the failures
// (outbox_mark_failures_total), and the consumers must ack every copy whose task is already
// completed as a duplicate (consumer_messages_duplicate_total): no game changes, every task
// completed exactly once.
import { setTimeout as sleep } from 'node:timers/promises';
import { TEST_METRICS_TOKEN, metricValue, waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import type mysql from 'mysql2/promise';
import { createGames } from './lib/catalog.js';
import { FAULT_TOKEN, type ConsumerProcess } from './lib/services.js';
import { FaultWorld, describeState, summarize, type Settled } from './lib/world.js';

const EVENTS = 200;
const KILLS = 3;

describe('when the relay’s "published" mark is killed after the broker confirmed the batch', function () {
  this.timeout(5 * 60_000);

  let world: FaultWorld;
  let end: Settled;
  let kills = 0;
  let markFailures = 0;
  let relayPauses = 0;
  let completedWrites = 0;
  let duplicates = 0;
  let gamesBefore: string;
  let gamesAfter: string;

  before(async function () {
    world = await FaultWorld.open('relay_mark');
    const backend = await world.backend();
    const fleet = world.consumers({
      BACKEND_URL: backend.url,
      INTERNAL_API_TOKEN: FAULT_TOKEN,
      PROCESSING_DELAY_MS: 20,
      PREFETCH: 20,
      LOG_LEVEL: 'error',
    });
    const consumers: ConsumerProcess[] = [await fleet.spawn(), await fleet.spawn()];

    // every mark waits in the trigger, so the kill below always lands in the mark's UPDATE
    await world.pool.query(
      `CREATE TRIGGER fault_slow_mark BEFORE UPDATE ON outbox_events FOR EACH ROW
       BEGIN
         IF OLD.published_at IS NULL AND NEW.published_at IS NOT NULL THEN DO SLEEP(0.5); END IF;
       END`,
    );
    const killer = killMarks(
      world,
      () => kills < KILLS,
      () => (kills += 1),
    );

    const started = performance.now();
    try {
      await createGames(backend, EVENTS);
      gamesBefore = await gameFields(world.pool);
      await waitFor(`${KILLS} marks killed`, () => kills >= KILLS, { timeoutMs: 60_000 });
    } finally {
      // marks are killed until the trigger is gone (a mark caught in it would wait it out)
      await world.pool.query('DROP TRIGGER IF EXISTS fault_slow_mark');
      killer.stop();
      await killer.done;
    }
    const droppedAt = ((performance.now() - started) / 1000).toFixed(1);
    end = await world.settle({ tasks: EVENTS, timeoutMs: 120_000 });
    gamesAfter = await gameFields(world.pool);

    const metrics = await fetch(`${backend.url}/metrics`, {
      headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
    }).then((r) => r.text());
    markFailures = metricValue(metrics, 'outbox_mark_failures_total');
    relayPauses = metricValue(metrics, 'outbox_relay_pauses_total', { reason: 'mark-failed' });
    completedWrites = metricValue(metrics, 'task_status_writes_total', {
      status: 'completed',
      applied: 'true',
    });
    // the last duplicates may still be on their way when the tasks are all completed
    await waitFor('every duplicate to be acked', async () => {
      duplicates = 0;
      for (const consumer of consumers) {
        const text = await fetch(`${consumer.url}/metrics`).then((r) => r.text());
        duplicates += metricValue(text, 'consumer_messages_duplicate_total');
      }
      return duplicates >= markFailures;
    }).catch(() => undefined);
    await sleep(1000);

    console.log(
      [
        '',
        `    ${EVENTS} games created; ${kills} marks killed (${markFailures} confirmed events left unmarked, relay paused ${relayPauses} times), trigger dropped at ${droppedAt} s`,
        `    run ${end.outcome} ${end.seconds} s later; duplicates acked by the consumers ${duplicates}; completed status writes applied ${completedWrites}`,
        `    at the end: ${describeState(end.state)}`,
        '',
      ].join('\n'),
    );
  });

  after(() => world?.close());

  it('then the relay counted every confirmed event whose mark failed, and paused after each', () => {
    expect(markFailures, 'outbox_mark_failures_total').to.be.greaterThan(0);
    expect(relayPauses, 'relay pauses after a failed mark').to.be.at.least(KILLS);
  });

  it('then every copy sent again was acked as a duplicate, and counted', () => {
    expect(duplicates, 'consumer_messages_duplicate_total').to.equal(markFailures);
  });

  it('then every task was completed exactly once, at its first attempt', () => {
    expect(
      summarize(end.state.tasks),
      `run ${end.outcome}; ${describeState(end.state)}`,
    ).to.deep.equal({
      pending: 0,
      processing: 0,
      completed: EVENTS,
      failed: 0,
    });
    expect(completedWrites, 'completed status writes applied').to.equal(EVENTS);
    expect(end.state.tasks.filter((t) => t.attempts !== 1)).to.deep.equal([]);
  });

  it("then the duplicates changed nothing in the games' final state", () => {
    expect(gamesAfter).to.equal(gamesBefore);
  });

  it('then nothing was parked and the outbox and queues are drained', () => {
    const { state } = end;
    expect({
      dlq: state.dlq,
      main: state.main,
      retry: state.retry,
      outbox: state.unpublished,
    }).to.deep.equal({ dlq: 0, main: 0, retry: 0, outbox: 0 });
  });
});

/**
 * Kills, from its own connection, every connection of the world's database running the relay's
 * mark, while `wanted()`; and goes on killing until stopped, so no mark is left waiting in the
 * trigger while it is being dropped.
 */
function killMarks(world: FaultWorld, wanted: () => boolean, killed: () => void) {
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      // inside a trigger the process list shows the trigger's statement, not the UPDATE
      const [rows] = await world.pool
        .query<mysql.RowDataPacket[]>(
          `SELECT ID AS id FROM information_schema.PROCESSLIST
            WHERE DB = ? AND INFO LIKE 'DO SLEEP(%'`,
          [world.database],
        )
        .catch(() => [[] as mysql.RowDataPacket[]]);
      for (const { id } of rows) {
        await world.pool.query('KILL CONNECTION ?', [id]).catch(() => undefined);
        if (wanted()) killed();
      }
      await sleep(25);
    }
  })();
  return { stop: () => (stopped = true), done };
}

/** The games' own fields (not their processing status), to compare before and after. */
async function gameFields(pool: mysql.Pool): Promise<string> {
  const [rows] = await pool.query<mysql.RowDataPacket[]>(
    `SELECT id, title, platform_id, genre_id, developer, release_year, description, version,
            last_event_id
       FROM games WHERE developer = 'Fault Studio' ORDER BY id`,
  );
  return JSON.stringify(rows);
}
