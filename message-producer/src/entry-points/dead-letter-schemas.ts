import { OFFSET_MAX } from '@retro/common';
import { z } from 'zod';
import { type DeadLetterFilter, decodeCursor } from '../data-access/archive-filter.js';
import { GROUP_SORTS } from '../data-access/archive-reads.js';
import { AUDIT_ACTIONS } from '../data-access/audit-trail.js';
import { DEAD_LETTER_TYPES } from '../domain/archived-message.js';
import type { DeadLetterTarget } from '../domain/dead-letter-targets.js';
import { GROUP_ID_PATTERN } from '../domain/fingerprint.js';
import { messageHeadersSchema } from '../domain/headers.js';
import { DEFAULT_REPLAY_RATE, MAX_REPLAY_RATE } from '../domain/replay-jobs.js';

const MAX_ID = Number.MAX_SAFE_INTEGER;
/** Most ids one replay or delete may name; larger sets are a group or a filter. */
export const MAX_TARGET_IDS = 1000;

/** Query strings are text, JSON bodies are typed: both are accepted where a number is meant. */
const digits = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v);
const bool = (v: unknown) => (v === 'true' ? true : v === 'false' ? false : v);

export const rowId = z.preprocess(
  digits,
  z.number({ error: 'must be a positive whole number' }).int().min(1).max(MAX_ID),
);

const isoTime = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 time, e.g. 2024-05-01T10:00:00Z' })
  .transform((v) => new Date(v));

/** The filters of the list, the export, and the `filter` of a replay or a delete. */
const filterFields = {
  group: z.string().regex(GROUP_ID_PATTERN, 'must be a group id: 12 hex digits').optional(),
  type: z.enum(DEAD_LETTER_TYPES).optional(),
  gameId: z
    .preprocess(digits, z.number({ error: 'must be a positive whole number' }).int().min(1))
    .pipe(z.number().max(2_147_483_647, 'is too large'))
    .optional(),
  bodyContains: z
    .string()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  replayed: z.preprocess(bool, z.boolean({ error: 'must be true or false' })).optional(),
  messageId: z.string().min(1).max(255).optional(),
};

const cursor = z
  .string()
  .max(100)
  .transform((text, ctx) => {
    const decoded = decodeCursor(text);
    if (!decoded) {
      ctx.addIssue({ code: 'custom', message: 'is not a cursor this service gave out' });
      return z.NEVER;
    }
    return decoded;
  });

export const listQuery = z.strictObject({
  ...filterFields,
  limit: z.preprocess(digits, z.number().int().min(1).max(200)).default(50),
  cursor: cursor.optional(),
});

export const exportQuery = z.strictObject(filterFields);

export const groupsQuery = z.strictObject({
  sort: z.enum(Object.keys(GROUP_SORTS) as [keyof typeof GROUP_SORTS]).default('count'),
  limit: z.preprocess(digits, z.number().int().min(1).max(500)).default(50),
  offset: z
    .preprocess(
      digits,
      z
        .number()
        .int()
        .min(0)
        .max(
          OFFSET_MAX,
          `must be at most ${OFFSET_MAX}; the messages of further groups are listed by /api/dead-letters, which pages by cursor`,
        ),
    )
    .default(0),
});

export const auditQuery = z.strictObject({
  action: z.enum(AUDIT_ACTIONS).optional(),
  deadLetterId: rowId.optional(),
  /** Entries older than this entry id: the next page. */
  before: rowId.optional(),
  limit: z.preprocess(digits, z.number().int().min(1).max(200)).default(50),
});

export const quarantineQuery = z.strictObject({
  /** Records quarantined before this one (a smaller id): the next page. */
  before: rowId.optional(),
  limit: z.preprocess(digits, z.number().int().min(1).max(200)).default(50),
});

/** Exactly one of `ids`, `group` or `filter` names the rows of a replay. */
const targetFields = {
  ids: z
    .array(rowId)
    .min(1, 'must name at least one id')
    .max(MAX_TARGET_IDS, `must name at most ${MAX_TARGET_IDS} ids; use a group or a filter`)
    .optional(),
  group: filterFields.group,
  filter: z.strictObject(filterFields).optional(),
};

/** A delete or a restore may also say `"all": true`; an empty filter it refuses (see below). */
const changeTargetFields = {
  ...targetFields,
  all: z.literal(true, { error: 'must be true (every message), or left out' }).optional(),
};

type TargetKey = 'ids' | 'group' | 'filter' | 'all';

function oneOf(keys: readonly TargetKey[]) {
  const names = keys.map((k) => `"${k}"`);
  const list = `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
  return (value: Partial<Record<TargetKey, unknown>>, ctx: z.RefinementCtx) => {
    const given = keys.filter((k) => value[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: given.length ? [given[1]!] : [],
        message: `name the messages with exactly one of ${list}`,
      });
    }
  };
}

/**
 * "All matching" must match something in particular: `{"filter": {}}` would take every message,
 * which only `"all": true` may ask for.
 */
function narrowFilter(value: { filter?: Record<string, unknown> }, ctx: z.RefinementCtx) {
  if (value.filter && Object.values(value.filter).every((v) => v === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['filter'],
      message: 'must name at least one condition; send "all": true to mean every message',
    });
  }
}

export const replayBody = z
  .strictObject({
    ...targetFields,
    rate: z
      .number({ error: 'must be a number of messages per second' })
      .int()
      .min(1)
      .max(MAX_REPLAY_RATE, `must be at most ${MAX_REPLAY_RATE} messages per second`)
      .default(DEFAULT_REPLAY_RATE),
    includeReplayed: z.boolean().default(false),
  })
  .superRefine(oneOf(['ids', 'group', 'filter']));

/** `POST /api/dead-letters/delete`: ids, a group, a filter that names something, or all. */
export const deleteBody = z
  .strictObject(changeTargetFields)
  .superRefine(oneOf(['ids', 'group', 'filter', 'all']))
  .superRefine(narrowFilter);

/** `POST /api/dead-letters/restore`: deleted ones by ids, group, filter, or all of them. */
export const restoreBody = deleteBody;

/** The edited body: JSON text (checked here), or any JSON value but null. */
export const editBody = z.strictObject({
  body: z.unknown().transform((value, ctx) => {
    if (value === undefined || value === null) {
      ctx.addIssue({ code: 'custom', message: 'is required: the corrected body' });
      return z.NEVER;
    }
    if (typeof value !== 'string') return { text: JSON.stringify(value), parsed: value };
    try {
      return { text: value, parsed: JSON.parse(value) as unknown };
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'not JSON';
      ctx.addIssue({ code: 'custom', message: `is not valid JSON: ${reason}` });
      return z.NEVER;
    }
  }),
  headers: messageHeadersSchema,
});

/** The target as the console takes it. */
export function toTarget(body: {
  ids?: number[];
  group?: string;
  filter?: DeadLetterFilter;
  all?: true;
}): DeadLetterTarget {
  if (body.ids) return { ids: body.ids };
  if (body.group) return { group: body.group };
  if (body.all) return { all: true };
  return { filter: body.filter ?? {} };
}
