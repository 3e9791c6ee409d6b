import { TASK_STATUS_RANK, type ProcessingTask } from '@retro/common';
import type { ChangePosition } from '../data-access/tasks-repo.js';

/** Where a task's state sits in the database's order of changes. */
export function positionOf(task: ProcessingTask): ChangePosition {
  return { at: new Date(task.updatedAt), messageId: task.messageId };
}

/** The position as an SSE event id: `<updated_at in epoch ms>-<message id>`. */
export function formatPosition(position: ChangePosition): string {
  return `${position.at.getTime()}-${position.messageId}`;
}

/**
 * A `Last-Event-ID` read back into a position; undefined for anything this server did not write
 * (message ids are letters, digits and `._:-`; an empty one stands for "the start of that
 * millisecond").
 */
export function parsePosition(id: string): ChangePosition | undefined {
  const match = /^(\d{1,15})-([A-Za-z0-9._:-]{0,64})$/.exec(id);
  if (!match) return undefined;
  const at = new Date(Number(match[1]));
  return Number.isNaN(at.getTime()) ? undefined : { at, messageId: match[2]! };
}

/**
 * Whether position `a` comes after `b`. Message ids compare as the database's case-insensitive
 * collation does for the characters they may hold, near enough for what this decides (whether a
 * row counts as missed, whether an id moves on): only rows of one millisecond depend on it.
 */
export function comesAfter(a: ChangePosition, b: ChangePosition): boolean {
  const at = a.at.getTime();
  const since = b.at.getTime();
  if (at !== since) return at > since;
  return a.messageId.toLowerCase() > b.messageId.toLowerCase();
}

/**
 * One number that orders the states of one task: its last change, then its status rank. Within a
 * task the database stamps every write under the row's lock, so a later write never carries an
 * earlier time; two writes in the same millisecond (processing, then completed, with no work in
 * between) are told apart by the rank. A retry (failed → pending) is a later write, so it counts
 * as newer although its rank is lower: terminal states are left only that way.
 */
export function versionOf(task: ProcessingTask): number {
  return Date.parse(task.updatedAt) * 4 + TASK_STATUS_RANK[task.status];
}
