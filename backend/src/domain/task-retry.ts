import { AppError, recordAudit, type AuditOrigin, type ProcessingTask } from '@retro/common';
import { withTransaction } from '../data-access/db.js';
import * as games from '../data-access/games-repo.js';
import * as outbox from '../data-access/outbox-repo.js';
import * as tasks from '../data-access/tasks-repo.js';
import type { DomainContext } from './context.js';

/**
 * Re-drives a catalog event whose task failed or stalled: queues its outbox row to be published
 * again and sets the task (attempts 0, no error) and its game back to pending. Re-driving a
 * stalled task whose message was alive after all is harmless: whichever copy is processed first
 * completes the task, and the consumer acks the other as a duplicate of a completed task.
 */
export async function retryTask(
  ctx: DomainContext,
  origin: AuditOrigin,
  messageId: string,
): Promise<ProcessingTask> {
  const { before, after } = await withTransaction(ctx.pool, async (connection) => {
    const current = await tasks.findTask(connection, messageId, ctx.stalledAfterMs, true);
    if (!current) throw AppError.notFound(`Task ${messageId}`);
    refuseUnlessRetryable(current, ctx.stalledAfterMs);
    if (!(await outbox.republish(connection, messageId))) {
      throw conflict(
        `Task ${messageId} has no catalog event to publish again (it came from another ` +
          'producer); re-send it from the producer page',
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
    const retried = await tasks.findTask(connection, messageId, ctx.stalledAfterMs);
    await recordAudit(connection, origin, {
      action: 'task.retry',
      target: `task:${messageId}`,
      detail: {
        gameId: current.gameId,
        before: { status: current.status, attempts: current.attempts, stalled: current.stalled },
      },
    });
    return { before: current, after: retried! };
  });
  ctx.logger.info('task queued for retry', {
    eventId: messageId,
    was: before.stalled ? `stalled ${before.status}` : before.status,
  });
  ctx.eventsWritten(1);
  ctx.tasksChanged([after]);
  return after;
}

/** Only failed and stalled catalog events are retried here; anything else is a 409 saying why. */
function refuseUnlessRetryable(task: ProcessingTask, stalledAfterMs: number): void {
  const id = task.messageId;
  if (task.status === 'completed') {
    throw conflict(`Task ${id} is completed; there is nothing to retry`);
  }
  if (task.status !== 'failed' && !task.stalled) {
    const stalledAt = new Date(Date.parse(task.updatedAt) + stalledAfterMs).toISOString();
    throw conflict(
      `Task ${id} is still in progress (${task.status}); it counts as stalled, and can be ` +
        `retried, if its status has not changed by ${stalledAt}`,
    );
  }
  if (task.type !== 'game') {
    throw conflict(
      `Task ${id} is a custom message; custom messages are re-sent from the producer page`,
    );
  }
}

const conflict = (message: string) => new AppError('CONFLICT', 409, message);
