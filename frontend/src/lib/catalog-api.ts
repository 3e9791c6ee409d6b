import type { AuditRecord, TaskJourney } from '@retro/common/api';
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

/**
 * A game and the ETag of the version it is (null from a backend that sends none): an update or a
 * delete sent with it (`If-Match`) is refused with 412 when someone changed the game meanwhile.
 */
export interface GameVersion {
  game: Game;
  etag: string | null;
}

const client = apiClient('The catalog API cannot be reached. Check your connection.');
const ifMatch = (etag: string | null | undefined): Record<string, string> =>
  etag ? { 'If-Match': etag } : {};

/** Every call the catalog pages make to the backend. */
export const api = {
  platforms: () => client.json<Platform[]>('/api/platforms'),
  genres: () => client.json<Genre[]>('/api/genres'),
  games: (query: GameQuery, signal?: AbortSignal) =>
    client.page<Game>(withQuery('/api/games', query), signal),
  game: (id: number) => client.json<Game>(`/api/games/${id}`),
  /** The game as it is now (the browser cache may answer only after the server said so). */
  gameVersion: async (id: number): Promise<GameVersion> => {
    const { data, headers } = await client.withHeaders<Game>(`/api/games/${id}`, {
      cache: 'no-cache',
    });
    return { game: data, etag: headers.get('ETag') };
  },
  /** Who changed the game last, and when: the newest entry of its history. */
  lastChange: async (id: number): Promise<AuditRecord | undefined> =>
    (await client.json<AuditRecord[]>(`/api/games/${id}/history?limit=1`))[0],
  createGame: (input: GameInput) => client.json<Game>('/api/games', jsonBody('POST', input)),
  updateGame: async (id: number, input: GameInput, etag?: string | null): Promise<GameVersion> => {
    const { data, headers } = await client.withHeaders<Game>(
      `/api/games/${id}`,
      jsonBody('PUT', input, ifMatch(etag)),
    );
    return { game: data, etag: headers.get('ETag') };
  },
  deleteGame: async (id: number, etag?: string | null) => {
    await client.send(`/api/games/${id}`, { method: 'DELETE', headers: ifMatch(etag) });
  },
  tasks: (query: TaskQuery, signal?: AbortSignal) =>
    client.page<Task>(withQuery('/api/tasks', query), signal),
  taskCounts: () => client.json<TaskCounts>('/api/tasks/counts'),
  retryTask: (messageId: string) =>
    client.json<unknown>(`/api/tasks/${encodeURIComponent(messageId)}/retry`, { method: 'POST' }),
  unfinishedGames: () => client.json<Game[]>('/api/processing'),
  taskJourney: (messageId: string) =>
    client.json<TaskJourney>(`/api/tasks/${encodeURIComponent(messageId)}/journey`),
};
