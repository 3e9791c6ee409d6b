/** The shapes the catalog API answers with (see docs/frontend.md and the backend's contract). */

export const STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;
export type Status = (typeof STATUSES)[number];

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
  processingStatus: Status;
  createdAt: string;
  updatedAt: string;
}

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

export interface Task {
  messageId: string;
  type: 'game' | 'custom';
  gameId: number | null;
  action: string | null;
  status: Status;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export type TaskCounts = Record<Status | 'total', number>;

export interface FieldError {
  field: string;
  message: string;
}
