import { AppError, type JourneyEntry, type JourneyStage, type TaskJourney } from '@retro/common';
import { readJourney } from '@retro/database';
import * as tasks from '../data-access/tasks-repo.js';
import type { DomainContext } from './context.js';

/**
 * The steps the services recorded for a message, in time order. Not found only when there is
 * neither a task nor a step: a task from before journeys has an empty one.
 */
export async function taskJourney(ctx: DomainContext, messageId: string): Promise<TaskJourney> {
  const rows = await readJourney(ctx.pool, messageId);
  if (rows.length === 0 && !(await tasks.findTask(ctx.pool, messageId, ctx.stalledAfterMs))) {
    throw AppError.notFound(`Task ${messageId}`);
  }
  const entries: JourneyEntry[] = rows.map((row) => ({
    at: row.at.toISOString(),
    stage: row.stage as JourneyStage,
    service: row.service,
    instance: row.instance,
    detail: row.detail as JourneyEntry['detail'],
  }));
  return { messageId, entries };
}
