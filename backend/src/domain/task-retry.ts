import { AppError, type ProcessingTask } from '@retro/common';
import { withTransaction } from '../data-access/db.js';
import * as games from '../data-access/games-repo.js';
import * as outbox from '../data-access/outbox-repo.js';
import * as tasks from '../data-access/tasks-repo.js';
import type { DomainContext } from './context.js';

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
