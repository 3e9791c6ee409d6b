import { AppError } from '@retro/common';
import type { Pool } from 'mysql2/promise';
import { missingIds } from '../data-access/archive-changes.js';
import { type DeadLetterFilter, matchesEverything } from '../data-access/archive-filter.js';
import { countDeadLetters } from '../data-access/archive-reads.js';
import { archiveUnavailable } from '../data-access/db.js';

/**
 * The rows an action is about: named ones, a failure group, whatever a filter matches, or every
 * one (`all`: how a delete or a restore says so; an empty filter is refused there).
 */
export type DeadLetterTarget =
  { ids: number[] } | { group: string } | { filter: DeadLetterFilter } | { all: true };

/**
 * The filter for a target, over live rows (or deleted ones, `deleted`): 404 for ids that are not
 * among them, or a group that holds none of them.
 */
export async function resolveTarget(
  pool: Pool,
  target: DeadLetterTarget,
  deleted = false,
): Promise<DeadLetterFilter> {
  if ('ids' in target) {
    const missing = await missingIds(pool, target.ids, deleted);
    if (missing.length > 0) {
      const what = deleted ? 'deleted dead letters' : 'dead letters';
      throw new AppError('NOT_FOUND', 404, `No ${what} with ids ${missing.join(', ')}`, [
        { field: 'ids', message: `not ${deleted ? 'deleted' : 'archived'}: ${missing.join(', ')}` },
      ]);
    }
    return { ids: target.ids, deleted };
  }
  if ('group' in target) {
    if ((await countDeadLetters(pool, { group: target.group, deleted })) === 0) {
      throw AppError.notFound(
        `${deleted ? 'Deleted messages of d' : 'D'}ead-letter group ${target.group}`,
      );
    }
    return { group: target.group, deleted };
  }
  if ('all' in target) return { deleted };
  return { ...target.filter, deleted };
}

/**
 * A delete or restore of "all matching" must say what matches: an empty filter would take every
 * message, which only an explicit `"all": true` may do.
 */
export function assertNarrowed(target: DeadLetterTarget): void {
  if ('filter' in target && matchesEverything(target.filter)) {
    throw AppError.validation([
      {
        field: 'filter',
        message: 'must name at least one condition; send "all": true to mean every message',
      },
    ]);
  }
}

/** What the shared audit trail names as the target of an action over `target`. */
export function targetName(target: DeadLetterTarget): string {
  if ('ids' in target && target.ids.length === 1) return `dead-letter:${target.ids[0]}`;
  if ('group' in target) return `dead-letter-group:${target.group}`;
  return 'dead-letters';
}

/** Database failures as the API should say them (archive not set up, MySQL away). */
export async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw archiveUnavailable(error);
  }
}
