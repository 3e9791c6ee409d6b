import {
  digitsToNumber,
  GAME_LIMITS,
  messageIdSchema,
  offsetParam,
  TASK_STATUS_FILTERS,
  TASK_STATUSES,
  TASK_TYPES,
} from '@retro/common';
import { z } from 'zod';
import { GAME_SORTS } from '../../data-access/games-repo.js';

const MAX_ID = 2_147_483_647;
const maxReleaseYear = () => new Date().getUTCFullYear() + GAME_LIMITS.yearsAhead;

/** An id in a path or query: digits only, within INT range. */
const idString = z
  .string()
  .regex(/^\d+$/, 'must be a positive whole number')
  .transform(Number)
  .pipe(z.number().int().min(1, 'must be a positive whole number').max(MAX_ID, 'is too large'));

const idField = z.preprocess(
  digitsToNumber,
  z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be a positive id')
    .max(MAX_ID, 'is too large'),
);

const text = (max: number) =>
  z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`);

export const idParams = z.object({ id: idString });

export const gameBody = z.object({
  title: text(GAME_LIMITS.titleMax),
  platformId: idField,
  genreId: idField,
  developer: text(GAME_LIMITS.developerMax),
  releaseYear: z.preprocess(
    digitsToNumber,
    z
      .number({ error: 'must be a number' })
      .int('must be a whole year')
      .refine((y) => y >= GAME_LIMITS.firstYear && y <= maxReleaseYear(), {
        message: `must be between ${GAME_LIMITS.firstYear} and next year`,
      }),
  ),
  yearCategory: z
    .string()
    .regex(/^\d{3}0s$/, 'must look like "1990s"')
    .nullish()
    .transform((v) => v ?? undefined),
  description: text(GAME_LIMITS.descriptionMax),
  imageUrl: z.preprocess(
    (v) => (v === '' || v === undefined ? null : v),
    z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .max(GAME_LIMITS.imageUrlMax, `must be at most ${GAME_LIMITS.imageUrlMax} characters`)
      .nullable(),
  ),
});

const limit = (max: number, fallback: number) =>
  z.coerce
    .number('must be a number')
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(max, `must be at most ${max}`)
    .default(fallback);
/** Past OFFSET_MAX, the games and tasks lists page on with their cursor. */
const offset = offsetParam("page further with `after` (the previous page's nextCursor)");
const optionalId = idString.optional();
/** A page's `nextCursor`; its content is checked where the list knows its order. */
const cursor = z.string().min(1, 'must not be empty').max(1000, 'is too long').optional();

export const gameQuery = z.object({
  search: z.string().max(100, 'must be at most 100 characters').optional(),
  platformId: optionalId,
  genreId: optionalId,
  yearCategory: z
    .string()
    .regex(/^\d{3}0s$/, 'must look like "1990s"')
    .optional(),
  status: z.enum(TASK_STATUSES).optional(),
  sort: z.enum(GAME_SORTS).optional(),
  limit: limit(100, 100),
  offset,
  after: cursor,
});

export const taskQuery = z.object({
  status: z.enum(TASK_STATUS_FILTERS).optional(),
  type: z.enum(TASK_TYPES).optional(),
  gameId: optionalId,
  limit: limit(200, 50),
  offset,
  after: cursor,
});

export const messageIdParams = z.object({ messageId: messageIdSchema });

export const legacyStatusBody = z.object({ status: z.enum(TASK_STATUSES) });

const isoTime = z.iso
  .datetime({ offset: true, error: 'must be an ISO-8601 time, e.g. 2026-01-31T12:00:00Z' })
  .transform((v) => new Date(v))
  .optional();

/** `GET /api/audit`: filters and a page, newest first. */
export const auditQuery = z.object({
  actor: z.string().min(1).max(64).optional(),
  action: z.string().min(1).max(48).optional(),
  target: z.string().min(1).max(191).optional(),
  from: isoTime,
  to: isoTime,
  limit: limit(500, 50),
  offset: offsetParam('page further with `to` (the time of the last entry read)'),
});

/** `GET /api/games/:id/history`: a page of the game's changes, newest first. */
export const historyQuery = z.object({ limit: limit(200, 50) });
