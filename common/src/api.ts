// The contract's browser-safe home (`@retro/common/api`): the catalog API's shapes and input
// limits here, the producer API's shapes and the message rules beside it. Shared by the services,
// the pages and the tests; nothing Node-specific, the pages bundle these files as they are.

export * from './message-rules.js';
export * from './producer-api.js';
export * from './access-api.js';
export * from './alerts-api.js';
export * from './latency-api.js';
export * from './flow-api.js';
export * from './journey-api.js';

export const TASK_STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** How far along each status is: a task never moves to a lower rank except by an explicit retry. */
export const TASK_STATUS_RANK: Record<TaskStatus, number> = {
  pending: 0,
  processing: 1,
  completed: 2,
  failed: 2,
};

/**
 * What `GET /api/tasks?status=` accepts: a status, or `stalled` for the pending and processing
 * tasks whose status has not changed for `TASK_STALLED_AFTER_MS` (their message may be lost).
 */
export const TASK_STATUS_FILTERS = [...TASK_STATUSES, 'stalled'] as const;
export type TaskStatusFilter = (typeof TASK_STATUS_FILTERS)[number];

export const TASK_TYPES = ['game', 'custom'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

/** The decade a year belongs to, as the catalog files it (`yearCategory`): 1985 → "1980s". */
export function yearCategoryOf(year: number): string {
  return `${Math.floor(year / 10) * 10}s`;
}

/** A game as `GET /api/games` answers it (the original catalog's camelCase fields). */
export interface Game {
  id: number;
  title: string;
  platformId: number;
  platformName: string;
  genreId: number;
  genreName: string;
  developer: string;
  releaseYear: number;
  yearCategory: string;
  description: string;
  imageUrl: string | null;
  processingStatus: TaskStatus;
  createdAt: string;
  updatedAt: string;
}

/** The processing of one message (a catalog event or a custom message). */
export interface ProcessingTask {
  messageId: string;
  type: TaskType;
  gameId: number | null;
  action: string | null;
  status: TaskStatus;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  /**
   * Pending or processing with no status change for `TASK_STALLED_AFTER_MS`: derived by the
   * backend when it answers (never stored), so a task becomes stalled without changing.
   */
  stalled: boolean;
}

/** `GET /api/tasks/counts`. */
export type TaskCounts = Record<TaskStatus | 'total', number> & {
  /** How many of the pending and processing tasks are stalled (they count there too). */
  stalled: number;
  /** The backend's `TASK_STALLED_AFTER_MS`, so pages can say what stalled means. */
  stalledAfterMs: number;
};

/** What a game's fields may hold; the server enforces these, the form checks them early. */
export const GAME_LIMITS = {
  titleMax: 100,
  developerMax: 100,
  descriptionMax: 5000,
  imageUrlMax: 255,
  firstYear: 1950,
  /** The last accepted release year is next year. */
  yearsAhead: 1,
} as const;
