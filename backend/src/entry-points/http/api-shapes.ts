import { TASK_STATUSES, TASK_TYPES } from '@retro/common';
import { z } from 'zod';

// The backend's answers as schemas, for its OpenAPI document (the answers themselves are typed
// by `Game` and `ProcessingTask` in @retro/common/api; the document's test checks the examples).

export const gameSchema = z.object({
  id: z.number().int(),
  title: z.string(),
  platformId: z.number().int(),
  platformName: z.string(),
  genreId: z.number().int(),
  genreName: z.string(),
  developer: z.string(),
  releaseYear: z.number().int(),
  yearCategory: z.string(),
  description: z.string(),
  imageUrl: z.string().nullable(),
  processingStatus: z.enum(TASK_STATUSES),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const taskSchema = z.object({
  messageId: z.string(),
  type: z.enum(TASK_TYPES),
  gameId: z.number().int().nullable(),
  action: z.string().nullable(),
  status: z.enum(TASK_STATUSES),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  stalled: z.boolean(),
});

export const namedSchema = z.looseObject({ id: z.number().int(), name: z.string() });

export const countsSchema = z.object({
  pending: z.number().int(),
  processing: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  total: z.number().int(),
  stalled: z.number().int(),
  stalledAfterMs: z.number().int(),
});

export const exampleGame = {
  id: 1,
  title: 'Super Mario Bros.',
  platformId: 1,
  platformName: 'NES',
  genreId: 1,
  genreName: 'Platformer',
  developer: 'Nintendo',
  releaseYear: 1985,
  yearCategory: '1980s',
  description: 'Side-scrolling platformer that defined a genre.',
  imageUrl: null,
  processingStatus: 'completed',
  createdAt: '2026-01-05T10:00:00.000Z',
  updatedAt: '2026-01-05T10:00:02.000Z',
};

export const exampleTask = {
  messageId: '6f1c2f0e-3c1b-4b0e-9a53-2a9d2b8f4e11',
  type: 'game',
  gameId: 1,
  action: 'update',
  status: 'failed',
  attempts: 4,
  lastError: 'backend answered 500',
  createdAt: '2026-01-05T10:00:00.000Z',
  updatedAt: '2026-01-05T10:00:09.000Z',
  stalled: false,
};
