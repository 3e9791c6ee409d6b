import { apiClient, jsonBody, withQuery, type Query } from './api-client.js';
import type { Game, GameInput, Genre, Platform, Task, TaskCounts } from './types.js';

export { ApiError } from './api-client.js';

export interface GameQuery extends Query {
  search?: string;
  platformId?: string;
  genreId?: string;
  yearCategory?: string;
  status?: string;
  /** `relevance` ("Best match"): by relevance with a search, by title without. */
  sort?: string;
  limit: number;
  offset: number;
  /** The previous page's `X-Next-Cursor`: the page after it, found by a seek. */
  after?: string;
}

export interface TaskQuery extends Query {
  status?: string;
  type?: string;
  gameId?: string;
  limit: number;
  offset: number;
  /** The previous page's `X-Next-Cursor`: the page after it, found by a seek. */
  after?: string;
}

const client = apiClient('The catalog API cannot be reached. Check your connection.');

/** Every call the catalog pages make to the backend. */
export const api = {
  platforms: () => client.json<Platform[]>('/api/platforms'),
  genres: () => client.json<Genre[]>('/api/genres'),
  games: (query: GameQuery, signal?: AbortSignal) =>
    client.page<Game>(withQuery('/api/games', query), signal),
  game: (id: number) => client.json<Game>(`/api/games/${id}`),
  createGame: (input: GameInput) => client.json<Game>('/api/games', jsonBody('POST', input)),
  updateGame: (id: number, input: GameInput) =>
    client.json<Game>(`/api/games/${id}`, jsonBody('PUT', input)),
  deleteGame: async (id: number) => {
    await client.send(`/api/games/${id}`, { method: 'DELETE' });
  },
  tasks: (query: TaskQuery, signal?: AbortSignal) =>
    client.page<Task>(withQuery('/api/tasks', query), signal),
  taskCounts: () => client.json<TaskCounts>('/api/tasks/counts'),
  retryTask: (messageId: string) =>
    client.json<unknown>(`/api/tasks/${encodeURIComponent(messageId)}/retry`, { method: 'POST' }),
  unfinishedGames: () => client.json<Game[]>('/api/processing'),
};
