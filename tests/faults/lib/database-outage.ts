import { setTimeout as sleep } from 'node:timers/promises';
import { TEST_METRICS_TOKEN, freePort, metricValue, waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import type mysql from 'mysql2/promise';
import { ApiAnswerProbe, type AnswerCounts } from './api-answers.js';
import { createGames } from './catalog.js';
import { FAULT_TOKEN, RestartableBackend, type ConsumerProcess } from './services.js';
import { TaskStreamRecorder } from './task-stream.js';
import type { FaultWorld } from './world.js';
import { describeState, summarize, type Settled } from './world.js';

/** How the database is taken away from the services and given back. */
export interface DatabaseFault {
  /** DB_* settings the backend connects with (through a proxy, or to a server of the test's). */
  backendDb: Record<string, string>;
  down(): Promise<void>;
  up(): Promise<void>;
}

export interface OutageSettings {
  events: number;
  outageMs: number;
  viewers: number;
  consumers: number;
  /** The consumers' settings: slow enough that the run is in full swing when the fault lands. */
  consumer: Record<string, string | number>;
}

/** Everything an outage run measured; the fault files assert on it and print it. */
export interface OutageReport {
  end: Settled;
  answers: AnswerCounts;
  /** `/ready` in the middle of the outage. */
  readyDuring: { status: number; database?: string };
  relayPauses: number;
  markFailures: number;
  duplicates: number;
  /** Games the run created (the load and the probe's 201s) and what they ended as. */
  games: { created: number; inDatabase: number; notCompleted: number };
  /** Per viewer: tasks whose last state seen is not the task's final state. */
  viewersMissing: number[];
  viewerRegressions: number;
  viewerConnects: number[];
  lines: string[];
}

/**
 * A run of `events` games through the backend, the consumers and `viewers` live-stream viewers,
 * with the database taken away for `outageMs` while the consumers are in the middle of it. API
 * answers are counted while it is away; the run then settles and every viewer must have seen
 * every task's final state.
 */
export class DatabaseOutageRun {
  private backend: RestartableBackend | undefined;
  private viewers: TaskStreamRecorder[] = [];

  constructor(
    private readonly world: FaultWorld,
    private readonly fault: DatabaseFault,
    private readonly settings: OutageSettings,
  ) {}

  async run(): Promise<OutageReport> {
    const { world, fault, settings } = this;
    const backend = new RestartableBackend(
      world.database,
      world.queues,
      await freePort(),
      world.accounts.editor.token,
      { ...world.brokerEnv(), ...fault.backendDb },
    );
    this.backend = backend;
    await backend.start();
    const fleet = world.consumers({
      ...settings.consumer,
      BACKEND_URL: backend.url,
      INTERNAL_API_TOKEN: FAULT_TOKEN,
      LOG_LEVEL: 'error',
    });
    const consumers: ConsumerProcess[] = [];
    for (let i = 0; i < settings.consumers; i++) consumers.push(await fleet.spawn());
    this.viewers = Array.from({ length: settings.viewers }, () => {
      const viewer = new TaskStreamRecorder(backend.url);
      viewer.start();
      return viewer;
    });
    await waitFor('the viewers to connect', () => this.viewers.every((v) => v.connects > 0), {
      timeoutMs: 10_000,
    });

    const started = performance.now();
    const since = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
    await createGames(backend, settings.events);
    const createdAt = since();
    await sleep(1000); // the scenario itself: the fault lands while the run is in full swing
    const atCut = summarize(await world.tasks());

    const probe = new ApiAnswerProbe(backend);
    const downAt = performance.now();
    const cutAt = since();
    await fault.down();
    const downIn = Math.round(performance.now() - downAt);
    await sleep(settings.outageMs / 2);
    const ready = await fetch(`${backend.url}/ready`);
    const readyBody = (await ready.json()) as { database?: string };
    await sleep(settings.outageMs / 2);
    await fault.up();
    const answers = await probe.stop();
    const upAt = since();
    // the world's own pool met the outage too: wait until it is served again before reading
    await waitFor('the database to answer the test again', () =>
      world.pool.query('SELECT 1').then(
        () => true,
        () => false,
      ),
    );
    const expected = settings.events + answers.created;
    const end = await world.settle({ tasks: expected, timeoutMs: 240_000 });

    const finals = new Map(end.state.tasks.map((t) => [t.messageId, t.status]));
    const missing = (viewer: TaskStreamRecorder) =>
      [...finals].filter(([id, status]) => viewer.sequences.get(id)?.at(-1) !== status).length;
    await waitFor('every viewer to see every final state', () =>
      this.viewers.every((v) => missing(v) === 0),
    ).catch(() => undefined); // the assertions say who missed what
    const games = await this.games(expected);
    const metricsText = await this.metrics(backend.url);
    let duplicates = 0;
    for (const consumer of consumers) {
      const text = await fetch(`${consumer.url}/metrics`).then((r) => r.text());
      duplicates += metricValue(text, 'consumer_messages_duplicate_total');
    }
    const report: Omit<OutageReport, 'lines'> = {
      end,
      answers,
      readyDuring: { status: ready.status, database: readyBody.database },
      relayPauses: metricValue(metricsText, 'outbox_relay_pauses_total'),
      markFailures: metricValue(metricsText, 'outbox_mark_failures_total'),
      duplicates,
      games,
      viewersMissing: this.viewers.map(missing),
      viewerRegressions: this.viewers.reduce((n, v) => n + v.regressions().length, 0),
      viewerConnects: this.viewers.map((v) => v.connects),
    };
    const lines = [
      '',
      `    ${settings.events} games created after ${createdAt}; database taken away at ${cutAt} with ${atCut.completed} tasks completed (down in ${downIn} ms)`,
      `    while away (${settings.outageMs / 1000} s): API answered ${answers.unavailable} × 503 DATABASE_UNAVAILABLE + Retry-After, ${answers.otherUnavailable} other 503, ${answers.serverErrors} × 5xx, ${answers.ok} × 2xx, ${answers.noAnswer} unanswered; slowest answer ${answers.slowestMs} ms`,
      `    /ready during the outage: ${ready.status} database=${readyBody.database}; relay pauses ${report.relayPauses}; mark failures ${report.markFailures}; duplicates acked ${duplicates}`,
      `    database back at ${upAt}; run ${end.outcome} ${end.seconds} s later, ${since()} in all`,
      `    games ${games.inDatabase} (expected ${games.created}), not completed ${games.notCompleted}; viewers missing final states ${report.viewersMissing.join('/')}, regressions ${report.viewerRegressions}, connects ${report.viewerConnects.join('/')}`,
      `    at the end: ${describeState(end.state)}`,
      '',
    ];
    return { ...report, lines };
  }

  async close(): Promise<void> {
    for (const viewer of this.viewers) viewer.stop();
    await this.backend?.stop();
  }

  private async games(created: number): Promise<OutageReport['games']> {
    const [[row]] = await this.world.pool.query<mysql.RowDataPacket[]>(
      `SELECT COUNT(*) AS n, SUM(processing_status <> 'completed') AS open
         FROM games WHERE developer IN ('Fault Studio', 'Outage Studio')`,
    );
    return { created, inDatabase: Number(row!.n), notCompleted: Number(row!.open ?? 0) };
  }

  private metrics(url: string): Promise<string> {
    return fetch(`${url}/metrics`, {
      headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
    }).then((r) => r.text());
  }
}

/**
 * What every database outage run must end with (the fault files differ only in how the database
 * goes away): the API's answers while it was away, the relay's backoff, and the end state.
 */
export function expectOutageOutcome(report: () => OutageReport): void {
  it('then the API answered 503 DATABASE_UNAVAILABLE with Retry-After, never a 500 and never a hang', () => {
    const { answers } = report();
    expect(answers.unavailable, 'answers 503 + Retry-After').to.be.greaterThan(0);
    expect(
      { serverErrors: answers.serverErrors, otherUnavailable: answers.otherUnavailable },
      'other 5xx answers',
    ).to.deep.equal({ serverErrors: 0, otherUnavailable: 0 });
    expect(answers.noAnswer, 'requests left without an answer').to.equal(0);
  });

  it('then /ready said the database was down', () => {
    expect(report().readyDuring).to.deep.equal({ status: 503, database: 'down' });
  });

  it('then the relay paused with backoff instead of spinning', () => {
    expect(report().relayPauses, 'relay pauses').to.be.within(1, 20);
  });

  it('then every task ends completed, none failed, each at its first attempt', () => {
    const { state } = report().end;
    expect(
      summarize(state.tasks),
      `run ${report().end.outcome}; ${describeState(state)}`,
    ).to.deep.equal({ pending: 0, processing: 0, completed: state.tasks.length, failed: 0 });
    expect(state.tasks.length).to.be.at.least(report().games.created);
    const retried = state.tasks.filter((t) => t.attempts > 1).map((t) => t.messageId);
    expect(retried, 'tasks that spent x-retry-count on the outage').to.deep.equal([]);
  });

  it("then each game's final state is right: one completed task per game", () => {
    expect(report().games.inDatabase, 'games').to.equal(report().end.state.tasks.length);
    expect(report().games.notCompleted, 'games not completed').to.equal(0);
  });

  it('then nothing was parked and the outbox and queues are drained', () => {
    const { state } = report().end;
    expect({
      dlq: state.dlq,
      main: state.main,
      retry: state.retry,
      outbox: state.unpublished,
    }).to.deep.equal({ dlq: 0, main: 0, retry: 0, outbox: 0 });
  });

  it('then every viewer saw every final state, and no task going backwards', () => {
    expect(report().viewersMissing, 'tasks whose final state a viewer missed').to.deep.equal(
      report().viewersMissing.map(() => 0),
    );
    expect(report().viewerRegressions, 'states shown out of order').to.equal(0);
  });
}

export { summarize };
