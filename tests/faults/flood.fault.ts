// One game floods the queue: 2,000 events for it, then one event for each of 100 other games,
// all waiting before the consumer starts (the worst case: the others sit behind the flood). Events
// of one game run one at a time, so a consumer that holds every delivery it is given fills its
// prefetch window with the flood and the others wait 2,000 × 2 s. Flood control holds at most
// 1 running + W waiting deliveries per game and defers the rest (a delayed copy, not a retry),
// so the others get the prefetch slots the flood would have held.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { yearCategoryOf } from '@retro/common';
import { expect } from 'chai';
import { keyLimit } from '@retro/message-consumer';
import type mysql from 'mysql2/promise';
import { FAULT_TOKEN } from './lib/services.js';
import { FaultWorld, describeState, summarize, type RawMessage } from './lib/world.js';

const FLOOD = 2000;
const OTHERS = 100;
/** The consumer's defaults, spelled out so the bound below does not move when they do. */
const PREFETCH = 20;
const PROCESSING_DELAY_MS = 2000;

// The bound on the time for all 100 others to complete, from the settings:
/** Deliveries the flood game may hold at once (1 running, the rest waiting): half the prefetch. */
const HELD = keyLimit(PREFETCH);
/** Prefetch slots left to other games while the flood game holds HELD. */
const SLOTS_FOR_OTHERS = PREFETCH - HELD;
/** The others run SLOTS_FOR_OTHERS at a time (distinct games), each for PROCESSING_DELAY_MS. */
const OTHERS_MS = Math.ceil(OTHERS / SLOTS_FOR_OTHERS) * PROCESSING_DELAY_MS;
/**
 * Every flood event ahead of the others is deferred before they are reached: a confirmed publish
 * to the retry queue and an ack. 10 ms each is conservative on two shared cores.
 */
const DEFER_MS = FLOOD * 10;
/** Starting the consumer process (tsx, broker connection, first delivery) and status writes. */
const SLACK_MS = 8000;
const BOUND_MS = OTHERS_MS + DEFER_MS + SLACK_MS;

describe('when one game floods the queue ahead of 100 other games', function () {
  this.timeout(BOUND_MS + 2 * 60_000);

  let world: FaultWorld;
  let floodGame: number;
  let otherMessageIds: Set<string>;
  let othersDoneMs: number | undefined;
  let othersCompleted: number;
  let elapsedMs: number;

  before(async function () {
    world = await FaultWorld.open('flood');
    const backend = await world.backend();
    const [floodId, ...otherIds] = await insertGames(world.pool, 1 + OTHERS);
    floodGame = floodId!;

    // the flood first, then the others: published as the relay would, all before any consumer
    const event = (gameId: number): RawMessage => {
      const eventId = randomUUID();
      const timestamp = new Date().toISOString();
      return {
        messageId: eventId,
        body: { eventId, gameId, action: 'update', gameData: {}, timestamp },
      };
    };
    const flood = Array.from({ length: FLOOD }, () => event(floodGame));
    const others = otherIds.map(event);
    otherMessageIds = new Set(others.map((m) => m.messageId));
    await world.publish([...flood, ...others]);

    const started = performance.now();
    await world
      .consumers({
        BACKEND_URL: backend.url,
        INTERNAL_API_TOKEN: FAULT_TOKEN,
        PREFETCH,
        PROCESSING_DELAY_MS,
        MAX_RETRIES: 3,
        RETRY_DELAY_MS: 1000,
        LOG_LEVEL: 'error',
      })
      .spawn();
    const startUpMs = performance.now() - started;
    // wait for the others only, up to the bound: the flood itself would take FLOOD × 2 s
    for (;;) {
      const tasks = await world.tasks();
      othersCompleted = tasks.filter(
        (t) => otherMessageIds.has(t.messageId) && t.status === 'completed',
      ).length;
      elapsedMs = performance.now() - started;
      if (othersCompleted === OTHERS) {
        othersDoneMs = elapsedMs;
        break;
      }
      if (elapsedMs > BOUND_MS) break;
      await sleep(250);
    }

    const state = await world.state();
    const floodTasks = summarize(state.tasks.filter((t) => t.gameId === floodGame));
    console.log(
      [
        '',
        `    bound ${BOUND_MS / 1000} s = ceil(${OTHERS} / (${PREFETCH} - ${HELD})) × ${PROCESSING_DELAY_MS / 1000} s + ${FLOOD} × 10 ms + ${SLACK_MS / 1000} s`,
        `    consumer up after ${(startUpMs / 1000).toFixed(1)} s; ${othersCompleted} of ${OTHERS} others completed after ${(elapsedMs / 1000).toFixed(1)} s`,
        `    flood tasks by then: ${JSON.stringify(floodTasks)}; ${describeState(state)}`,
        '',
      ].join('\n'),
    );
  });

  after(() => world?.close());

  it(`then the ${OTHERS} other games' events complete within the bound computed from the settings`, () => {
    expect(
      {
        completed: othersCompleted,
        withinBound: othersDoneMs !== undefined && othersDoneMs <= BOUND_MS,
      },
      `${othersCompleted} of ${OTHERS} completed after ${(elapsedMs / 1000).toFixed(1)} s; bound ${BOUND_MS / 1000} s`,
    ).to.deep.equal({ completed: OTHERS, withinBound: true });
  });

  it('then no flood event is parked or failed, and deferring one spends no retry', async () => {
    const state = await world.state();
    const floodTasks = state.tasks.filter((t) => t.gameId === floodGame);
    expect(
      {
        parked: state.dlq,
        failed: floodTasks.filter((t) => t.status === 'failed').length,
        retried: floodTasks.filter((t) => t.attempts > 1).length,
      },
      `flood tasks ${JSON.stringify(summarize(floodTasks))}; ${describeState(state)}`,
    ).to.deep.equal({ parked: 0, failed: 0, retried: 0 });
  });
});

/** Games straight into the table: creating them through the API would emit events of their own. */
async function insertGames(pool: mysql.Pool, count: number): Promise<number[]> {
  const developer = `Flood Studio ${randomUUID().slice(0, 8)}`;
  const rows = Array.from({ length: count }, (_, i) => {
    const year = 1980 + (i % 20);
    return [
      `Flood Game ${i}`,
      (i % 7) + 1,
      (i % 8) + 1,
      developer,
      year,
      yearCategoryOf(year),
      '-',
    ];
  });
  await pool.query(
    `INSERT INTO games
       (title, platform_id, genre_id, developer, release_year, year_category, description)
     VALUES ?`,
    [rows],
  );
  const [ids] = await pool.query<mysql.RowDataPacket[]>(
    'SELECT id FROM games WHERE developer = ? ORDER BY id',
    [developer],
  );
  return ids.map((r) => Number(r.id));
}
