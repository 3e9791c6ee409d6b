import { TASK_STATUS_BATCH_MAX } from '@retro/common';
import { findDeadLetteredTasks } from '../data-access/dead-lettered-tasks-repo.js';
import type { DomainContext } from './context.js';
import { reportTaskStatuses } from './tasks.js';

/** What a task says when its message was dead-lettered without a consumer's report. */
const NO_REASON = 'dead-lettered without a reason (found in the dead-letter archive)';

/**
 * Marks failed the unfinished tasks whose message the broker dead-lettered by itself — a quorum
 * queue's delivery limit, a TTL, a reject or a length limit on a queue — so that no consumer ever
 * reported it: without this such a task would wait in `processing` until it shows as stalled.
 * The failure goes through the consumer's own status path (same transitions, game status and
 * live stream), with the reason the archive recorded from `x-death`. A task that moved on after
 * its message was parked (a replay, a later delivery) is left alone. Returns how many were failed.
 */
export async function failDeadLetteredTasks(ctx: DomainContext): Promise<number> {
  const found = await findDeadLetteredTasks(ctx.pool, TASK_STATUS_BATCH_MAX);
  if (found.length === 0) return 0;
  const results = await reportTaskStatuses(
    ctx,
    found.map((task) => ({
      messageId: task.messageId,
      status: 'failed' as const,
      type: task.type,
      gameId: task.gameId,
      action: task.action,
      attempts: task.attempts,
      error: (task.reason ?? NO_REASON).slice(0, 2000),
    })),
  );
  const failed = results.filter((result) => result.applied).length;
  if (failed > 0) {
    ctx.logger.warn('tasks whose message the broker dead-lettered are marked failed', {
      count: failed,
    });
  }
  return failed;
}
