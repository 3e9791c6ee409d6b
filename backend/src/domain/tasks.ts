import {
  AppError,
  type ProcessingTask,
  type TaskStatus,
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

/** The consumer's status report for one message. */
export async function reportTaskStatus(
  ctx: DomainContext,
  messageId: string,
  update: TaskStatusUpdate,
): Promise<{ applied: boolean; task: ProcessingTask }> {
  const result = await withTransaction(ctx.pool, async (connection) => {
    await tasks.insertTask(
      connection,
      {
        messageId,
        type: update.type,
        gameId: update.gameId ?? null,
        action: update.action ?? null,
      },
      { ignoreExisting: true },
    );
    const { task: current, now } = (await tasks.lockTask(connection, messageId))!;
    const reopening = update.reopen === true && current.status === 'failed';
    if (!acceptsTransition(current.status, update.status, update.reopen)) {
      return { applied: false, task: current };
    }
    const state = {
      status: update.status,
      attempts: reopening
        ? (update.attempts ?? 1)
        : Math.max(current.attempts, update.attempts ?? current.attempts),
      lastError: update.error !== undefined ? update.error : reopening ? null : current.lastError,
    };
    // stamped with the database clock read under the lock, so the task need not be read back
    await tasks.writeTaskState(connection, messageId, { ...state, updatedAt: now });
    if (current.gameId !== null && current.type === 'game') {
      await games.setStatusFromMessage(connection, current.gameId, update.status, messageId);
    }
    return { applied: true, task: { ...current, ...state, updatedAt: now.toISOString() } };
  });
  if (result.applied) ctx.taskChanged(result.task);
  return result;
}

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
