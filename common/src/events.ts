import { z } from 'zod';
import { journeyNoteSchema } from './journey-api.js';
import { TASK_STATUSES, TASK_TYPES, type ProcessingTask } from './api.js';
import { GAME_ACTIONS, MAX_RETRY_COUNT_HEADER, SIMULATED_OUTCOMES } from './message-rules.js';

/** Queue names. Production uses the defaults; tests pass their own base name to stay isolated. */
export interface QueueNames {
  /** Durable classic queue, declared with no arguments, shared with older producers/consumers. */
  main: string;
  /**
   * The single retry queue of earlier versions (per-message TTL, dead-lettering to `main`). Retries
   * now go to one queue per delay tier (`retryTierQueue`); this one is still declared (classic
   * queues only) so that what waited in it at an upgrade comes back.
   */
  retry: string;
  /** Parked messages with headers saying why. */
  dlq: string;
}

export function queueNames(base = 'game_events'): QueueNames {
  return { main: base, retry: `${base}.retry`, dlq: `${base}.dlq` };
}

export const MESSAGE_ID_MAX = 64;

/**
 * What a message id (and so a task id) may look like: it is a URL path segment and a primary key.
 */
export const MESSAGE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

export const messageIdSchema = z
  .string()
  .min(1, 'is required')
  .max(MESSAGE_ID_MAX, `must be at most ${MESSAGE_ID_MAX} characters`)
  .regex(MESSAGE_ID_PATTERN, 'may contain letters, digits and . _ : - only');

/** Older clients pass numbers straight from form fields, as strings of digits: accept those. */
export const digitsToNumber = (v: unknown) =>
  typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;

/** A catalog change, as the backend's outbox relay publishes it. */
export const gameEventSchema = z.object({
  eventId: z.string().min(1).max(64).optional(),
  gameId: z.preprocess(digitsToNumber, z.number().int().positive().max(2_147_483_647)),
  action: z.enum(GAME_ACTIONS),
  gameData: z.record(z.string(), z.unknown()).nullable().optional(),
  timestamp: z.string().optional(),
});
export type GameEvent = z.infer<typeof gameEventSchema>;

/** A tester's message. Extra fields are kept and passed along. */
export const customMessageSchema = z.looseObject({
  type: z.literal('custom'),
  message: z.unknown(),
  timestamp: z.string().optional(),
  simulate: z.enum(SIMULATED_OUTCOMES).optional(),
});
export type CustomMessage = z.infer<typeof customMessageSchema>;

/** Most journey steps one status report may carry. */
export const JOURNEY_NOTES_PER_REPORT = 20;

/**
 * Body of the consumer's task-status write: `PUT /api/internal/tasks/:messageId/status`.
 * `gameId` and `action` are set for game events; `error` explains a failure.
 */
export const taskStatusUpdateSchema = z.strictObject({
  status: z.enum(TASK_STATUSES),
  type: z.enum(TASK_TYPES),
  gameId: z.number().int().positive().nullable().optional(),
  action: z.string().min(1).max(32).nullable().optional(),
  /** `x-retry-count + 1`: the bound of that header, plus the attempt itself. */
  attempts: z
    .number()
    .int()
    .min(0)
    .max(MAX_RETRY_COUNT_HEADER + 1)
    .optional(),
  error: z.string().max(2000).nullable().optional(),
  /** The message is a replay of a parked one: a failed task may be processed again. */
  reopen: z.boolean().optional(),
  /**
   * The consumer's steps with the message since its last report (its journey), written with the
   * report. Optional: a consumer from before journeys sends none.
   */
  journey: z.array(journeyNoteSchema).max(JOURNEY_NOTES_PER_REPORT).optional(),
});
export type TaskStatusUpdate = z.infer<typeof taskStatusUpdateSchema>;

/** Most status reports one batch write may carry. */
export const TASK_STATUS_BATCH_MAX = 200;

/** One item of the batch write: a status report with the message it is about. */
export const taskStatusReportSchema = taskStatusUpdateSchema.extend({ messageId: messageIdSchema });
export type TaskStatusReport = z.infer<typeof taskStatusReportSchema>;

/**
 * Body of the consumer's batched status write: `PUT /api/internal/tasks/status`. The reports are
 * applied in order, in one transaction; the answer has one result per report, in the same order.
 */
export const taskStatusBatchSchema = z.strictObject({
  updates: z
    .array(taskStatusReportSchema)
    .min(1, 'must hold at least one update')
    .max(TASK_STATUS_BATCH_MAX, `must hold at most ${TASK_STATUS_BATCH_MAX} updates`),
});

/**
 * Why a status report was refused: it says the message is of another type or about another game
 * than the task stored under its id (a forged or corrupted message). Nothing was changed.
 */
export interface TaskStatusRefusal {
  code: 'TASK_MISMATCH';
  message: string;
}

/**
 * The answer to one status report: whether it changed the task, and the task after it. A report
 * with `error` was refused; the consumer treats its message as wrong and parks it.
 */
export interface TaskStatusResult {
  messageId: string;
  applied: boolean;
  task: ProcessingTask;
  error?: TaskStatusRefusal;
}
