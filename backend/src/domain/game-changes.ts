import { AppError, type GameChangeDetail } from '@retro/common';
import type { Game, GameFields } from '../data-access/games-repo.js';

/** The fields a client edits; their changes, and only theirs, move a game's version on. */
export const EDITABLE_FIELDS = [
  'title',
  'platformId',
  'genreId',
  'developer',
  'releaseYear',
  'yearCategory',
  'description',
  'imageUrl',
] as const satisfies readonly (keyof GameFields)[];

/** A game's editable fields, nothing else (no names, status or times). */
export function editableFields(game: GameFields | Game): GameFields {
  return Object.fromEntries(EDITABLE_FIELDS.map((f) => [f, game[f]])) as unknown as GameFields;
}

/**
 * An update's audit detail: the editable fields it changed, as they were and as they are. An
 * update that changes nothing has two empty objects.
 */
export function changedFields(before: GameFields | Game, after: GameFields): GameChangeDetail {
  const detail = { before: {} as Record<string, unknown>, after: {} as Record<string, unknown> };
  for (const field of EDITABLE_FIELDS) {
    if (before[field] !== after[field]) {
      detail.before[field] = before[field];
      detail.after[field] = after[field];
    }
  }
  return detail;
}

export const hasChanges = (detail: GameChangeDetail) => Object.keys(detail.after ?? {}).length > 0;

/**
 * Refuses a write whose `If-Match` names only versions the game has moved on from. `expected`
 * null: any version (no `If-Match`, or `*`).
 */
export function checkVersion(
  id: number,
  version: number,
  expected: readonly number[] | null,
): void {
  if (expected === null || expected.includes(version)) return;
  throw new AppError(
    'PRECONDITION_FAILED',
    412,
    `Game ${id} changed since it was read (it is at version ${version} now); ` +
      'read it again and reapply the change',
  );
}
