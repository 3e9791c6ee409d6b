import type { FieldError, Game, GameInput, Genre, Platform, Task, TaskCounts } from './types.js';

/** A failed API call, carrying the server's `{error: {code, message, details}}` when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface Page<T> {
  items: T[];
  total: number;
  /** The cursor of the page after this one (X-Next-Cursor), or null on the last page. */
  next: string | null;
}

type Query = Record<string, string | number | undefined>;

function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function errorFrom(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => undefined)) as
    { error?: { code?: string; message?: string; details?: unknown } } | undefined;
  const details = Array.isArray(body?.error?.details)
    ? (body.error.details as Partial<FieldError>[])
        .filter((d) => typeof d?.message === 'string')
        .map((d) => ({ field: String(d.field ?? ''), message: String(d.message) }))
    : [];
  return new ApiError(
    response.status,
    body?.error?.code ?? `HTTP_${response.status}`,
    body?.error?.message ?? `The server answered ${response.status} ${response.statusText}`,
    details,
  );
}

async function send(path: string, init: RequestInit = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, {
      ...init,
      headers: { Accept: 'application/json', ...init.headers },
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', 'The catalog API cannot be reached. Check your connection.');
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  return (await (await send(path, init)).json()) as T;
}

async function page<T>(path: string, signal?: AbortSignal): Promise<Page<T>> {
  const response = await send(path, { signal });
  const items = (await response.json()) as T[];
  const total = Number(response.headers.get('X-Total-Count') ?? items.length);
  return { items, total, next: response.headers.get('X-Next-Cursor') };
}

function body(method: string, payload: unknown): RequestInit {
  return { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) };
}

export interface GameQuery extends Query {
  search?: string;
  platformId?: string;
  genreId?: string;
  yearCategory?: string;
  status?: string;
  sort?: string;
  limit: number;
  offset: number;
  after?: string;
}

export interface TaskQuery extends Query {
  status?: string;
  type?: string;
  gameId?: string;
  limit: number;
  offset: number;
  after?: string;
}

/** Every call the pages make; paths are relative so the page works behind any host or proxy. */
export const api = {
  platforms: () => json<Platform[]>('/api/platforms'),
  genres: () => json<Genre[]>('/api/genres'),
  games: (query: GameQuery, signal?: AbortSignal) =>
    page<Game>(withQuery('/api/games', query), signal),
  game: (id: number) => json<Game>(`/api/games/${id}`),
  createGame: (input: GameInput) => json<Game>('/api/games', body('POST', input)),
  updateGame: (id: number, input: GameInput) => json<Game>(`/api/games/${id}`, body('PUT', input)),
  deleteGame: async (id: number) => {
    await send(`/api/games/${id}`, { method: 'DELETE' });
  },
  tasks: (query: TaskQuery, signal?: AbortSignal) =>
    page<Task>(withQuery('/api/tasks', query), signal),
  taskCounts: () => json<TaskCounts>('/api/tasks/counts'),
  retryTask: (messageId: string) =>
    json<unknown>(`/api/tasks/${encodeURIComponent(messageId)}/retry`, { method: 'POST' }),
  unfinishedGames: () => json<Game[]>('/api/processing'),
};
