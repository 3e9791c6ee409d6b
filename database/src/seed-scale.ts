import { randomBytes } from 'node:crypto';
import type mysql from 'mysql2/promise';
import { migrate } from './migrate.js';
import { random, scaleGame, type ScaleGame } from './scale-data.js';
import { reconcileCounts } from './counts.js';
import { termRows } from './search-index.js';
import { createPool, type DbSettings } from './settings.js';

export interface ScaleOptions {
  games: number;
  tasks: number;
  /** Same seed, same catalog. */
  seed?: number;
  /** Events are spread over this many days before now. */
  days?: number;
  /** Outbox rows are kept for events this recent (and for failed ones), as housekeeping would. */
  outboxDays?: number;
  log?: (message: string) => void;
}

export interface ScaleResult {
  games: number;
  tasks: number;
  outbox: number;
  ms: number;
}

const ROWS_PER_INSERT = 1000;
const KIND = { create: 0, update: 1, custom: 2 } as const;
const STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;
const ERRORS = [
  'gave up after 3 retries: simulated transient failure (attempt 4 of 5 failing)',
  'invalid game event: action: Invalid option: expected one of "create"|"update"|"delete"|"process"',
  'simulated permanent failure',
];

/**
 * Adds `games` games and `tasks` processing tasks (their events) to the database, keeping the
 * application's invariants: every game has its create event and task; a game's `last_event_id`
 * is its newest event and its `processing_status` that event's status; tasks are spread over
 * `days` days, the last few minutes still pending or processing; published outbox rows exist for
 * recent events and failed ones (what housekeeping keeps); every game is in the word index, and
 * the task counts follow from the tasks (their triggers). Rows are written in multi-row inserts on
 * a few connections; migrations are applied first.
 */
export async function seedScale(settings: DbSettings, options: ScaleOptions): Promise<ScaleResult> {
  const started = Date.now();
  const { games, tasks, seed = 1, days = 90, outboxDays = 7, log = () => {} } = options;
  if (!(games >= 1 && tasks >= games)) throw new Error('need --games ≥ 1 and --tasks ≥ --games');
  await migrate(settings);
  const pool = createPool(settings, 4);
  try {
    const [[catalog]] = await pool.query<mysql.RowDataPacket[]>(
      `SELECT (SELECT COUNT(*) FROM platforms) AS platforms, (SELECT COUNT(*) FROM genres) AS genres,
              (SELECT COALESCE(MAX(id), 0) FROM games) AS lastGame`,
    );
    const plan = planEvents(games, tasks, seed, days);
    const firstGame = Number(catalog!.lastGame) + 1;
    const rnd = random(seed * 7919);
    const nonce = randomBytes(4).toString('hex');
    const eventId = (k: number) => `${nonce}-5eed-4000-8000-${k.toString(16).padStart(12, '0')}`;
    const fields: ScaleGame[] = Array.from({ length: games }, () =>
      scaleGame(rnd, Number(catalog!.platforms), Number(catalog!.genres)),
    );

    log(`writing ${games} games`);
    await insertAll(
      pool,
      games,
      (i) => {
        const g = fields[i]!;
        const last = plan.lastEvent[i]!;
        return [
          firstGame + i,
          g.title,
          g.platformId,
          g.genreId,
          g.developer,
          g.releaseYear,
          g.yearCategory,
          g.description,
          null,
          STATUSES[plan.status[last]!],
          eventId(last),
          plan.at(plan.createEvent[i]!),
          plan.at(last),
        ];
      },
      `INSERT INTO games (id, title, platform_id, genre_id, developer, release_year, year_category,
          description, image_url, processing_status, last_event_id, created_at, updated_at) VALUES`,
    );

    const terms = termRows(fields.map((g, i) => ({ ...g, id: firstGame + i })));
    log(`writing ${terms.length} search terms`);
    await insertAll(
      pool,
      terms.length,
      (i) => terms[i]!,
      'INSERT INTO game_search_terms (term, game_id, field, pos, words) VALUES',
    );

    log(`writing ${tasks} tasks`);
    await insertAll(
      pool,
      tasks,
      (k) => {
        const status = plan.status[k]!;
        const custom = plan.kind[k] === KIND.custom;
        const attempts = status === 3 ? 4 : status === 2 ? 1 + (k % 17 === 0 ? 1 : 0) : status;
        return [
          eventId(k),
          custom ? 'custom' : 'game',
          custom ? null : firstGame + plan.game[k]!,
          custom ? null : plan.kind[k] === KIND.create ? 'create' : 'update',
          STATUSES[status],
          attempts,
          status === 3 ? ERRORS[k % ERRORS.length] : null,
          plan.at(k),
          plan.at(k),
        ];
      },
      `INSERT INTO processing_tasks (message_id, type, game_id, action, status, attempts,
          last_error, created_at, updated_at) VALUES`,
    );

    const recent = Date.now() - outboxDays * 86_400_000;
    const kept = plan.indexes(
      (k) =>
        plan.kind[k] !== KIND.custom && (plan.at(k).getTime() >= recent || plan.status[k] === 3),
    );
    log(`writing ${kept.length} outbox rows`);
    await insertAll(
      pool,
      kept.length,
      (j) => {
        const k = kept[j]!;
        const gameId = firstGame + plan.game[k]!;
        const action = plan.kind[k] === KIND.create ? 'create' : 'update';
        const at = plan.at(k);
        const payload = {
          eventId: eventId(k),
          gameId,
          action,
          gameData: fields[plan.game[k]!],
          timestamp: at.toISOString(),
        };
        return [
          eventId(k),
          gameId,
          action,
          JSON.stringify(payload),
          at,
          new Date(at.getTime() + 50),
        ];
      },
      'INSERT INTO outbox_events (event_id, game_id, action, payload, created_at, published_at) VALUES',
    );
    // the triggers were skipped for speed (@retro_bulk_load): count what was written, once
    const connection = await pool.getConnection();
    try {
      await reconcileCounts(connection, 'task_counts');
      await reconcileCounts(connection, 'game_counts');
    } finally {
      connection.release();
    }
    return { games, tasks, outbox: kept.length, ms: Date.now() - started };
  } finally {
    await pool.end();
  }
}

/**
 * The timeline of `tasks` events, oldest first: `games` creates spread evenly (the first event is
 * one), the rest updates of games created before them (4 in 5) and custom messages.
 */
function planEvents(games: number, tasks: number, seed: number, days: number) {
  const rnd = random(seed);
  const kind = new Uint8Array(tasks);
  const game = new Int32Array(tasks);
  const status = new Uint8Array(tasks);
  const lastEvent = new Int32Array(games);
  const createEvent = new Int32Array(games);
  const now = Date.now();
  const spanMs = days * 86_400_000;
  let created = 0;
  for (let k = 0; k < tasks; k++) {
    const isCreate = Math.floor(((k + 1) * games) / tasks) > Math.floor((k * games) / tasks);
    if (isCreate) {
      kind[k] = KIND.create;
      game[k] = created;
      createEvent[created] = k;
      created += 1;
    } else if (rnd() < 0.8) {
      kind[k] = KIND.update;
      game[k] = Math.floor(rnd() * created);
    } else kind[k] = KIND.custom;
    if (kind[k] !== KIND.custom) lastEvent[game[k]!] = k;
    // the newest few hundred are still under way; older ones finished, a few of them failed
    const age = tasks - k;
    status[k] = age <= 100 ? 0 : age <= 200 ? 1 : rnd() < 0.03 ? 3 : 2;
  }
  return {
    kind,
    game,
    status,
    lastEvent,
    createEvent,
    at: (k: number) => new Date(now - spanMs + Math.floor((k / tasks) * spanMs)),
    indexes(keep: (k: number) => boolean): number[] {
      const out: number[] = [];
      for (let k = 0; k < tasks; k++) if (keep(k)) out.push(k);
      return out;
    },
  };
}

/** Inserts `count` rows made by `row(i)` in multi-row statements, three connections at a time. */
async function insertAll(
  pool: mysql.Pool,
  count: number,
  row: (i: number) => unknown[],
  insert: string,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    const connection = await pool.getConnection();
    try {
      // @retro_bulk_load: the counter triggers skip these rows, counted once at the end instead
      await connection.query(
        'SET SESSION foreign_key_checks = 0, unique_checks = 0, @retro_bulk_load = 1',
      );
      await connection.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
      while (next < count) {
        const from = next;
        next = Math.min(count, next + ROWS_PER_INSERT);
        const rows = Array.from({ length: next - from }, (_, i) => row(from + i));
        // each statement commits on its own: one that lost a deadlock to a neighbour's insert into
        // the same index pages was rolled back whole and simply runs again
        for (let attempt = 1; ; attempt++) {
          try {
            await connection.query(`${insert} ?`, [rows]);
            break;
          } catch (error) {
            if ((error as { code?: string }).code !== 'ER_LOCK_DEADLOCK' || attempt >= 5)
              throw error;
          }
        }
      }
    } finally {
      connection.release();
    }
  };
  await Promise.all([worker(), worker(), worker()]);
}
