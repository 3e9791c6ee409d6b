import {
  AppError,
  type ProcessingTask,
  type TaskStatus,
  type TaskStatusReport,
  type TaskStatusUpdate,
} from '@retro/common';
import { withTransaction } from '../data-access/db.js';
import * as games from '../data-access/games-repo.js';
import * as outbox from '../data-access/outbox-repo.js';
import * as tasks from '../data-access/tasks-repo.js';
import type { DomainContext } from './context.js';

const RANK: Record<TaskStatus, number> = { pending: 0, processing: 1, completed: 2, failed: 2 };

/**
 * Whether a reported status may replace the current one. Terminal states are sticky (only an
 * explicit retry leaves them) and a status never moves backwards, so duplicate or late
 * deliveries cannot regress a task.
 */
export function acceptsTransition(current: TaskStatus, next: TaskStatus, reopen = false): boolean {
  if (reopen && current === 'failed') return next !== 'pending';
  if (RANK[current] === 2) return false;
  return RANK[next] >= RANK[current];
}

/** The outcome of one status report: whether it changed the task, and the task after it. */
export interface TaskStatusResult {
  messageId: string;
  applied: boolean;
  task: ProcessingTask;
}

/** The consumer's status report for one message: a batch of one. */
export async function reportTaskStatus(
  ctx: DomainContext,
  messageId: string,
  update: TaskStatusUpdate,
): Promise<{ applied: boolean; task: ProcessingTask }> {
  const [result] = await reportTaskStatuses(ctx, [{ ...update, messageId }]);
  return { applied: result!.applied, task: result!.task };
}

/**
 * Applies the consumer's status reports in order, in one transaction, as if each were written on
 * its own: a report about a message the batch already changed sees that change. Creates the tasks
 * of messages reported for the first time and locks all of them (sorted, so concurrent batches
 * cannot deadlock), decides each report in memory, then writes each changed task's final state and each
 * game's status in as few statements as possible. One result per report, in request order.
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
      // message_id compares case-insensitively (utf8mb4_unicode_ci): "Ab" and "ab" are one task
      const firstReports = new Map<string, TaskStatusReport>();
      for (const report of reports) {
        if (!firstReports.has(key(report.messageId)))
          firstReports.set(key(report.messageId), report);
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
      );
      const current = new Map(locked.map((t) => [key(t.messageId), t]));

      const results: TaskStatusResult[] = [];
      const changedTasks = new Map<string, ProcessingTask>();
      // per game, the messages whose reports applied, each with its last status, in the order of
      // their last report: applied in that order they leave the game as sequential writes would
      const gameChanges = new Map<number, Map<string, TaskStatus>>();
      for (const report of reports) {
        const task = current.get(key(report.messageId))!;
        const next = decide(task, report, now);
        if (!next) {
          results.push({ messageId: report.messageId, applied: false, task });
          continue;
        }
        current.set(key(task.messageId), next);
        changedTasks.set(key(task.messageId), next);
        results.push({ messageId: report.messageId, applied: true, task: next });
        if (next.gameId !== null && next.type === 'game') {
          const messages = gameChanges.get(next.gameId) ?? new Map<string, TaskStatus>();
          messages.delete(next.messageId);
          messages.set(next.messageId, next.status);
          gameChanges.set(next.gameId, messages);
        }
      }

      if (changedTasks.size > 0) {
        await tasks.writeTaskStates(connection, [...changedTasks.values()], now);
      }
      // round k holds each game's k-th message: nearly always one round, as a game rarely has two
      // events reported in the same batch
      for (const round of inRounds(gameChanges)) {
        await games.setStatusesFromMessages(connection, round);
      }
      return results;
    },
    { readCommitted: true },
  );
  for (const result of results) if (result.applied) ctx.taskChanged(result.task);
  return results;
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

/** Publishes a failed catalog event again through the outbox. */
export async function retryTask(ctx: DomainContext, messageId: string): Promise<ProcessingTask> {
  const task = await withTransaction(ctx.pool, async (connection) => {
    const current = await tasks.findTask(connection, messageId, true);
    if (!current) throw AppError.notFound(`Task ${messageId}`);
    if (current.status !== 'failed') {
      throw new AppError(
        'CONFLICT',
        409,
        `Only failed tasks can be retried (this one is ${current.status})`,
      );
    }
    if (current.type !== 'game' || !(await outbox.republish(connection, messageId))) {
      throw new AppError(
        'CONFLICT',
        409,
        'Only catalog events can be retried here; replay parked messages from the producer',
      );
    }
    await tasks.writeTaskState(connection, messageId, {
      status: 'pending',
      attempts: 0,
      lastError: null,
    });
    if (current.gameId !== null) {
      await games.setStatusFromMessage(connection, current.gameId, 'pending', messageId);
    }
    return (await tasks.findTask(connection, messageId))!;
  });
  ctx.logger.info('task queued for retry', { eventId: messageId });
  ctx.eventsWritten(1);
  ctx.taskChanged(task);
  return task;
}
