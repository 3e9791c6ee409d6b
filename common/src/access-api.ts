// The access contract (`@retro/common/api`): roles, sign-in, sessions, tokens and the audit
// trail, as zod schemas from which every type is inferred. Browser-safe: the pages bundle it.
import { z } from 'zod';

/** A strict chain: each role may do all that the one before it may. */
export const ROLES = ['viewer', 'editor', 'tester', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/** True when `role` may do what `needed` may (viewer ⊂ editor ⊂ tester ⊂ operator). */
export function roleAtLeast(role: Role | null | undefined, needed: Role): boolean {
  return !!role && ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** What anonymous callers are: `viewer` (public reads) or `none` (sign in for everything). */
export const ANONYMOUS_ROLES = ['viewer', 'none'] as const;
export type AnonymousRole = (typeof ANONYMOUS_ROLES)[number];

export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;

export const usernameSchema = z
  .string()
  .regex(USERNAME_PATTERN, 'letters, digits, dots, dashes and underscores, at most 64');

export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `at most ${PASSWORD_MAX_LENGTH} characters`);

/** `POST /api/session`. A wrong name and a wrong password get the same answer. */
export const signInBodySchema = z.strictObject({
  username: z.string().min(1, 'is required').max(64),
  password: z.string().min(1, 'is required').max(PASSWORD_MAX_LENGTH),
});
export type SignInBody = z.infer<typeof signInBodySchema>;

/** `GET /api/session`, and the answer to a sign-in. */
export const sessionInfoSchema = z.object({
  username: z.string(),
  role: z.enum(ROLES),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

/** `PUT /api/session/password`: the old password proves it is the account's owner. */
export const passwordChangeBodySchema = z.strictObject({
  currentPassword: z.string().min(1, 'is required').max(PASSWORD_MAX_LENGTH),
  newPassword: passwordSchema,
});
export type PasswordChangeBody = z.infer<typeof passwordChangeBodySchema>;

/** One audited state change (`GET /api/audit`, `GET /api/games/:id/history`). */
export const auditRecordSchema = z.object({
  id: z.number().int(),
  at: z.string(),
  service: z.string(),
  actor: z.string().nullable(),
  role: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  requestId: z.string().nullable(),
  detail: z.unknown().nullable(),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;

/** A game change's fields before and after, in an audit entry's `detail`. */
export const gameChangeDetailSchema = z.object({
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
});
export type GameChangeDetail = z.infer<typeof gameChangeDetailSchema>;

/** `POST /api/dead-letters/delete`: how many messages were deleted (restorable until purged). */
export const deadLetterDeleteResultSchema = z.object({
  deleted: z.number().int().min(0),
  /** The console's audit entry (`GET /api/dead-letters/audit`). */
  auditId: z.number().int(),
});
export type DeadLetterDeleteResult = z.infer<typeof deadLetterDeleteResultSchema>;

/** `POST /api/dead-letters/restore`: how many deleted messages are back in the archive. */
export const deadLetterRestoreResultSchema = z.object({
  restored: z.number().int().min(0),
  auditId: z.number().int(),
});
export type DeadLetterRestoreResult = z.infer<typeof deadLetterRestoreResultSchema>;
