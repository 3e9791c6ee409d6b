import type { ProcessingTask } from '@retro/common';
import type { Pool } from '../data-access/db.js';
import { changesAfter, type ChangePosition } from '../data-access/tasks-repo.js';
import { positionOf } from './position.js';

/**
 * Reads of the change order start this much before the position they continue from: a row is
 * stamped when its transaction writes it but seen by others only at commit, so rows can become
 * visible slightly out of timestamp order. Rows read twice are recognised and not sent twice.
 */
export const OVERLAP_MS = 3000;
const PAGE = 1000;

/** The position `OVERLAP_MS` before `position`, where a read that continues from it starts. */
export function overlapping(position: ChangePosition): ChangePosition {
  return { at: new Date(position.at.getTime() - OVERLAP_MS), messageId: '' };
}

/**
 * The tasks changed after `from`, oldest change first, a page at a time (a keyset walk, so each
 * page costs the same however far the walk has gone); ends after the first short page.
 */
export async function* changePages(
  pool: Pool,
  from: ChangePosition,
  stalledAfterMs: number,
): AsyncGenerator<ProcessingTask[]> {
  for (let after = from; ;) {
    const page = await changesAfter(pool, after, PAGE, stalledAfterMs);
    yield page;
    if (page.length < PAGE) return;
    after = positionOf(page.at(-1)!);
  }
}
