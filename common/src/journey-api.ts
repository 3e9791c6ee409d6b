import { z } from 'zod';

/**
 * The steps of a message's journey, in the order they usually come (docs/operations.md, "The
 * journey of a message").
 */
export const JOURNEY_STAGES = [
  'written',
  'published',
  'delivered',
  'attempt-failed',
  'retry-scheduled',
  'handed-back',
  'deferred',
  'parked',
  'archived',
  'replayed',
  'completed',
  'failed',
  'duplicate',
] as const;
export type JourneyStage = (typeof JOURNEY_STAGES)[number];

/** Most entries kept per message: a message bouncing for ever does not grow its journey for ever. */
export const JOURNEY_MAX_ENTRIES = 100;

/** What a step adds: a request id, an attempt, an error, a tier... (small, flat). */
export const journeyDetailSchema = z.record(
  z.string().max(32),
  z.union([z.string().max(500), z.number(), z.boolean(), z.null()]),
);

/**
 * A step the consumer took with a message, carried with its status report (the optional
 * `journey` of a report): the backend writes it in the transaction of the report.
 */
export const journeyNoteSchema = z.strictObject({
  at: z.iso.datetime(),
  stage: z.enum(JOURNEY_STAGES),
  instance: z.string().min(1).max(128).optional(),
  detail: journeyDetailSchema.optional(),
});
export type JourneyNote = z.infer<typeof journeyNoteSchema>;

/** One step of `GET /api/tasks/:messageId/journey`. */
export const journeyEntrySchema = z.object({
  /** ISO-8601 with milliseconds. */
  at: z.string(),
  stage: z.enum(JOURNEY_STAGES),
  /** `backend`, `relay`, `consumer`, `producer`. */
  service: z.string(),
  instance: z.string().nullable(),
  detail: journeyDetailSchema,
});
export type JourneyEntry = z.infer<typeof journeyEntrySchema>;

/** `GET /api/tasks/:messageId/journey`: the message's steps in time order (at most 100). */
export const taskJourneySchema = z.object({
  messageId: z.string(),
  entries: z.array(journeyEntrySchema),
});
export type TaskJourney = z.infer<typeof taskJourneySchema>;
