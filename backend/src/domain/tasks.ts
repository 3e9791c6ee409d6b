import {
  AppError,
  TASK_STATUS_RANK,
  type ProcessingTask,
  type TaskStatus,
  type TaskStatusRefusal,
  type TaskStatusReport,
  type TaskStatusResult,
  type TaskStatusUpdate,
  type TaskType,
} from '@retro/common';
import { insertJourney, type JourneyRow } from '@retro/database';
import { withTransaction, type Queryable } from '../data-access/db.js';
import * as games from '../data-access/games-repo.js';
import * as tasks from '../data-access/tasks-repo.js';
import type { DomainContext } from './context.js';

/**
 * Whether a reported status may replace the current one. Terminal states are sticky (only an
 * explicit retry leaves them) and a status never moves backwards, so duplicate or late
 * deliveries cannot regress a task.
 */
export function acceptsTransition(current: TaskStatus, next: TaskStatus, reopen = false): boolean {
  if (reopen && current === 'failed') return next !== 'pending';
  if (TASK_STATUS_RANK[current] === 2) return false;
  return TASK_STATUS_RANK[next] >= TASK_STATUS_RANK[current];
}

/** The consumer's status report for one message: a batch of one. */
export async function reportTaskStatus(
  ctx: DomainContext,
  messageId: string,
  update: TaskStatusUpdate,
): Promise<TaskStatusResult> {
  const [result] = await reportTaskStatuses(ctx, [{ ...update, messageId }]);
  return result!;
}

/**
 * Applies the consumer's status reports in order, in one transaction, as if each were written on
 * its own: a report about a message the batch already changed sees that change. Creates the tasks
 * of messages reported for the first time and locks all of them (sorted, so concurrent batches
 * cannot deadlock), decides each report in memory, then writes each changed task's final state and
 * each game's status in as few statements as possible. One result per report, in request order; a
 * report that contradicts its task is refused in its result and does not fail the others.
 */
export async function reportTaskStatuses(
  ctx: DomainContext,
  reports: TaskStatusReport[],
): Promise<TaskStatusResult[]> {
  // READ COMMITTED: no gap locks, so a batch never blocks the inserts of catalog writes, and its
  // UPDATEs pass over rows they do not change (locked by others or not) instead of waiting on them
  const results = await withTransaction(
    ctx.pool,
    async (connection) => {
      const { current, now } = await lockTasks(connection, reports, ctx.stalledAfterMs);
      const outcome = applyReports(reports, current, now);
      if (outcome.changedTasks.length > 0) {
        await tasks.writeTaskStates(connection, outcome.changedTasks, now);
      }
      // round k holds each game's k-th message: nearly always one round, as a game rarely has two
      // events reported in the same batch
      for (const round of inRounds(outcome.gameChanges)) {
        await games.setStatusesFromMessages(connection, round);
      }
      await insertJourney(connection, journeyRows(reports, outcome.results), { bounded: true });
      return outcome.results;
    },
    { readCommitted: true },
  );
  // every state the batch went through, in order: viewers see processing before completed even
  // when both were reported in one request
  ctx.tasksChanged(results.flatMap((result) => (result.applied ? [result.task] : [])));
  for (const result of results) {
    if (result.error) {
      ctx.logger.warn('status report refused', {
        eventId: result.messageId,
        reason: result.error.message,
      });
    }
  }
  return results;
}

/**
 * Creates the tasks of messages reported for the first time (from their first report) and locks
 * every task the reports are about. Returns them by key, with the database's clock.
 */
async function lockTasks(
  connection: Queryable,
  reports: TaskStatusReport[],
  stalledAfterMs: number,
) {
  // message_id compares case-insensitively (utf8mb4_unicode_ci): "Ab" and "ab" are one task
  const firstReports = new Map<string, TaskStatusReport>();
  for (const report of reports) {
    if (!firstReports.has(key(report.messageId))) firstReports.set(key(report.messageId), report);
  }
  const sorted = [...firstReports.values()].sort((a, b) =>
    compare(key(a.messageId), key(b.messageId)),
  );
  await tasks.ensureTasks(
    connection,
    sorted.map((r) => ({
      messageId: r.messageId,
      type: r.type,
      gameId: r.gameId ?? null,
      action: r.action ?? null,
    })),
  );
  const { tasks: locked, now } = await tasks.readLockedTasks(
    connection,
    sorted.map((r) => r.messageId),
    stalledAfterMs,
  );
  return { current: new Map(locked.map((t) => [key(t.messageId), t])), now };
}

/**
 * Decides every report in order against the tasks as the earlier reports left them. Returns the
 * results, the final state of each changed task and, per game, the messages whose reports changed
 * its status, each with its last status, in the order of their last report: applied in that
 * order they leave the game as sequential writes would.
 */
function applyReports(
  reports: TaskStatusReport[],
  current: Map<string, ProcessingTask>,
  now: Date,
) {
  const results: TaskStatusResult[] = [];
  const changedTasks = new Map<string, ProcessingTask>();
  const gameChanges = new Map<number, Map<string, TaskStatus>>();
  for (const report of reports) {
    const task = current.get(key(report.messageId))!;
    const refusal = mismatch(task, report);
    if (refusal) {
      results.push({ messageId: report.messageId, applied: false, task, error: refusal });
      continue;
    }
    const next = decide(task, report, now);
    if (!next) {
      results.push({ messageId: report.messageId, applied: false, task });
      continue;
    }
    current.set(key(task.messageId), next);
    changedTasks.set(key(task.messageId), next);
    results.push({ messageId: report.messageId, applied: true, task: next });
    // only a game event's report moves its game: `mismatch` has checked that the stored task is a
    // game task of this very game, so no other message can reach a game's status
    if (report.type === 'game' && next.gameId !== null) {
      const messages = gameChanges.get(next.gameId) ?? new Map<string, TaskStatus>();
      messages.delete(next.messageId);
      messages.set(next.messageId, next.status);
      gameChanges.set(next.gameId, messages);
    }
  }
  return { results, changedTasks: [...changedTasks.values()], gameChanges };
}

/**
 * Why `report` may not touch `task`, or null when it describes the same message: its type and its
 * game (absent = none) must be those stored. A message id reused by another message (a custom
 * message given a catalog event's id, or an event pointed at another game) would otherwise
 * finish someone else's task and set that game's status.
 */
export function mismatch(task: ProcessingTask, report: TaskStatusUpdate): TaskStatusRefusal | null {
  const gameId = report.gameId ?? null;
  const field = report.type !== task.type ? 'type' : gameId !== task.gameId ? 'gameId' : null;
  if (!field) return null;
  return {
    code: 'TASK_MISMATCH',
    message: `task ${task.messageId} is ${describe(task.type, task.gameId)}; this report says ${describe(report.type, gameId)} (${field} differs)`,
  };
}

function describe(type: TaskType, gameId: number | null): string {
  return `a ${type} task ${gameId === null ? 'without a game' : `of game ${gameId}`}`;
}

/** The task after `report`, or null when the report may not change it. */
function decide(
  current: ProcessingTask,
  report: TaskStatusUpdate,
  now: Date,
): ProcessingTask | null {
  if (!acceptsTransition(current.status, report.status, report.reopen)) return null;
  const reopening = report.reopen === true && current.status === 'failed';
  return {
    ...current,
    status: report.status,
    attempts: reopening
      ? (report.attempts ?? 1)
      : Math.max(current.attempts, report.attempts ?? current.attempts),
    lastError: report.error !== undefined ? report.error : reopening ? null : current.lastError,
    updatedAt: now.toISOString(),
    // it changed just now, so it has not waited at all
    stalled: false,
  };
}

/** Splits the game changes into rounds in which each game appears at most once. */
function inRounds(gameChanges: Map<number, Map<string, TaskStatus>>) {
  const rounds: { gameId: number; status: TaskStatus; messageId: string }[][] = [];
  for (const [gameId, messages] of gameChanges) {
    [...messages].forEach(([messageId, status], i) => {
      (rounds[i] ??= []).push({ gameId, status, messageId });
    });
  }
  return rounds;
}

const key = (messageId: string) => messageId.toLowerCase();
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The original consumer's status write: sets the game's status directly. */
export async function completeGameProcessing(
  ctx: DomainContext,
  gameId: number,
  status: TaskStatus,
): Promise<void> {
  if (!(await games.gameExists(ctx.pool, gameId))) throw AppError.notFound(`Game ${gameId}`);
  await games.setStatusFromMessage(ctx.pool, gameId, status, null);
}

/**
 * The consumer's journey steps carried by the reports, for the transaction of the reports. A
 * `completed` or `failed` step whose report the task ignored (it had finished already) is written
 * as `duplicate`: the journey tells what the task did, not what the consumer hoped.
 */
function journeyRows(reports: TaskStatusReport[], results: TaskStatusResult[]): JourneyRow[] {
  return reports.flatMap((report, i) => {
    const result = results[i]!;
    if (!report.journey || result.error) return [];
    const ignored = !result.applied && TASK_STATUS_RANK[result.task.status] === 2;
    return report.journey.map((note) => ({
      messageId: report.messageId,
      at: new Date(note.at),
      stage:
        ignored && (note.stage === 'completed' || note.stage === 'failed')
          ? 'duplicate'
          : note.stage,
      service: 'consumer',
      instance: note.instance ?? null,
      detail: note.detail ?? {},
    }));
  });
}
