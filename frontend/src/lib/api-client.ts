/** One field the server refused, as its error answers list them. */
export interface FieldError {
  field: string;
  message: string;
}

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

  /** The service could not do it now (503): a dependency away, not a mistake of the caller. */
  get unavailable(): boolean {
    return this.code === 'SERVICE_UNAVAILABLE';
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

/** `path?a=1&b=2` for the set values of `query`, or `path` when none is set. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** A request with a JSON body. */
export function jsonBody(method: string, payload: unknown, headers: Record<string, string> = {}) {
  return {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(payload),
  } satisfies RequestInit;
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

/** One page of a list. */
export interface ListPage<T> {
  items: T[];
  /** How many rows the whole list has. */
  total: number;
  /** The cursor of the page after this one (`after`), or null when this page is the last. */
  next: string | null;
}

export interface ApiClient {
  /** The response when it is 2xx; an `ApiError` otherwise (status 0: no answer at all). */
  send(path: string, init?: RequestInit): Promise<Response>;
  /** The JSON answer (null for 204). */
  json<T>(path: string, init?: RequestInit): Promise<T>;
  /** The JSON answer with the response headers (lists put totals and cursors there). */
  withHeaders<T>(path: string, init?: RequestInit): Promise<{ data: T; headers: Headers }>;
  /** A list with its total (`X-Total-Count`) and the next page's cursor (`X-Next-Cursor`). */
  page<T>(path: string, signal?: AbortSignal): Promise<ListPage<T>>;
}

/**
 * Calls to one service's API, with relative paths so a page works behind any host or proxy.
 * `unreachable` is what the user is told when no answer comes at all.
 */
export function apiClient(unreachable: string): ApiClient {
  async function send(path: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(path, {
        ...init,
        headers: { Accept: 'application/json', ...init.headers },
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(0, 'NETWORK', unreachable);
    }
    if (!response.ok) throw await errorFrom(response);
    return response;
  }
  async function withHeaders<T>(path: string, init?: RequestInit) {
    const response = await send(path, init);
    const data = (response.status === 204 ? null : await response.json()) as T;
    return { data, headers: response.headers };
  }
  return {
    send,
    withHeaders,
    json: async <T>(path: string, init?: RequestInit) => (await withHeaders<T>(path, init)).data,
    async page<T>(path: string, signal?: AbortSignal) {
      const { data, headers } = await withHeaders<T[]>(path, { signal });
      return {
        items: data,
        total: Number(headers.get('X-Total-Count') ?? data.length),
        next: headers.get('X-Next-Cursor'),
      };
    },
  };
}
