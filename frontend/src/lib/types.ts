/** The shapes the catalog API answers with (see docs/frontend.md and the backend's contract). */

export {
  TASK_STATUSES as STATUSES,
  type Game,
  type ProcessingTask as Task,
  type TaskCounts,
  type TaskStatus as Status,
} from '@retro/common/api';

/** What the game form sends for a create or an update. */
export interface GameInput {
  title: string;
  platformId: number;
  genreId: number;
  developer: string;
  releaseYear: number;
  description: string;
  imageUrl: string | null;
}

export interface Platform {
  id: number;
  name: string;
}

export interface Genre {
  id: number;
  name: string;
}

export type { FieldError } from './api-client.js';
