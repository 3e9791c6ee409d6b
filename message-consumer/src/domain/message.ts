import { createHash } from 'node:crypto';
import {
  HEADERS,
  MESSAGE_ID_MAX,
  MESSAGE_ID_PATTERN,
  customMessageSchema,
  gameEventSchema,
  type TaskType,
} from '@retro/common';
import { z } from 'zod';

/** The processing task a message reports to. */
export interface TaskRef {
  messageId: string;
  type: TaskType;
  gameId: number | null;
  action: string | null;
}

/** What a tester's custom message asks the consumer to pretend. */
export interface Simulation {
  outcome: 'success' | 'transient' | 'permanent';
  /** For `transient`: how many attempts fail before one succeeds. */
  failAttempts: number;
}

/** A message that is well-formed and can be worked on. */
export interface Job {
  task: TaskRef;
  /** Jobs with the same key never run at the same time (the game, or the message itself). */
  key: string;
  simulation: Simulation;
  /** A replay of a parked message (`x-replayed-at`): its failed task may be processed again. */
  reopen: boolean;
}

export type ParsedMessage =
  | { ok: true; job: Job }
  /** Poison: park it. `task` is set when a task row can still be told about the failure. */
  | { ok: false; reason: string; task: TaskRef | null };

export const DEFAULT_FAIL_ATTEMPTS = 2;

const simulationFields = z.object({
  failAttempts: z.number().int().min(0).max(1000).optional(),
});

/**
 * Messages from the original producer carry no id. Hashing the body gives the same id to every
 * copy of one message (a redelivery) and different ids to different messages (their timestamps differ).
 */
export function legacyMessageId(content: Buffer): string {
  return `legacy-${createHash('sha256').update(content).digest('hex').slice(0, 40)}`;
}

function usableId(value: unknown): string | undefined {
  return typeof value === 'string' && MESSAGE_ID_PATTERN.test(value) ? value : undefined;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.join('.') || 'message'}: ${issue.message}`)
    .join('; ');
}

/** Best-effort task fields from a body that failed validation. */
function looseGameTask(messageId: string, body: Record<string, unknown>): TaskRef {
  const { gameId, action } = body;
  return {
    messageId,
    type: 'game',
    gameId: typeof gameId === 'number' && Number.isInteger(gameId) && gameId > 0 ? gameId : null,
    action: typeof action === 'string' && action.length > 0 ? action.slice(0, 32) : null,
  };
}

/**
 * Turns a delivery into a job, or says why it is poison. The message id is the AMQP `messageId`,
 * else the body's `eventId`, else a hash of the body.
 */
export function parseMessage(
  content: Buffer,
  propertyMessageId: unknown,
  headers: Record<string, unknown> = {},
): ParsedMessage {
  const reopen = headers[HEADERS.replayedAt] !== undefined;
  if (propertyMessageId !== undefined && propertyMessageId !== null) {
    if (!usableId(propertyMessageId)) {
      return {
        ok: false,
        reason: `messageId property must be 1-${MESSAGE_ID_MAX} letters, digits or . _ : -`,
        task: null,
      };
    }
  }
  const explicitId = usableId(propertyMessageId);

  let body: unknown;
  try {
    body = JSON.parse(content.toString('utf8'));
  } catch {
    return { ok: false, reason: 'body is not valid JSON', task: foreignTask(explicitId) };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, reason: 'body is not a JSON object', task: foreignTask(explicitId) };
  }
  const record = body as Record<string, unknown>;
  const messageId = explicitId ?? usableId(record.eventId) ?? legacyMessageId(content);

  if (record.type === 'custom') return parseCustom(messageId, record, reopen);

  const event = gameEventSchema.safeParse(record);
  if (!event.success) {
    return {
      ok: false,
      reason: `invalid game event: ${describeIssues(event.error)}`,
      task: looseGameTask(messageId, record),
    };
  }
  const { gameId, action } = event.data;
  return {
    ok: true,
    job: {
      task: { messageId, type: 'game', gameId, action },
      key: `game:${gameId}`,
      simulation: { outcome: 'success', failAttempts: 0 },
      reopen,
    },
  };
}

function parseCustom(
  messageId: string,
  record: Record<string, unknown>,
  reopen: boolean,
): ParsedMessage {
  const task: TaskRef = { messageId, type: 'custom', gameId: null, action: null };
  const message = customMessageSchema.safeParse(record);
  const extra = simulationFields.safeParse(record);
  if (!message.success) {
    return { ok: false, reason: `invalid custom message: ${describeIssues(message.error)}`, task };
  }
  if (!extra.success) {
    return { ok: false, reason: `invalid custom message: ${describeIssues(extra.error)}`, task };
  }
  return {
    ok: true,
    job: {
      task,
      key: `message:${messageId}`,
      simulation: {
        outcome: message.data.simulate ?? 'success',
        failAttempts: extra.data.failAttempts ?? DEFAULT_FAIL_ATTEMPTS,
      },
      reopen,
    },
  };
}

/**
 * A body that is not even a JSON object can only be reported when its sender gave it an id; it is
 * recorded as a custom (non-catalog) task so testers see why it failed.
 */
function foreignTask(messageId: string | undefined): TaskRef | null {
  return messageId ? { messageId, type: 'custom', gameId: null, action: null } : null;
}

/**
 * A delivery left unread (its body over the bound): poison, reported to the task its `messageId`
 * names, if it names one, as a custom task (its body, which would say more, is not read).
 */
export function unread(propertyMessageId: unknown, reason: string): ParsedMessage {
  return { ok: false, reason, task: foreignTask(usableId(propertyMessageId)) };
}
