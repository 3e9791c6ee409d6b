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
    return this.code === 'SERVICE_UNAVAILABLE' || this.code === 'DATABASE_UNAVAILABLE';
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

/** A request as `fetch` takes it, and what to do when the answer is 401. */
export interface CallInit extends RequestInit {
  /**
   * false: a 401 is the caller's to handle (no sign-in form): background reads that the page
   * makes on its own, and the session calls themselves.
   */
  signIn?: boolean;
}

/** How the page's session takes part in every call (session-ui.ts registers them). */
export interface SessionHooks {
  /**
   * An answer was 401 (the session ended, or the service lets nobody in without one): get the
   * visitor signed in; resolves true once signed in, false when the visitor declined.
   */
  signIn(request: { method: string; path: string }): Promise<boolean>;
  /** An answer was 403: the role may have changed since the page drew its controls. */
  forbidden(): void;
}

let hooks: SessionHooks | undefined;

/** Every client of the page uses the one sign-in form and session. */
export function setSessionHooks(value: SessionHooks | undefined): void {
  hooks = value;
}

export interface ApiClient {
  /**
   * The response when it is 2xx; an `ApiError` otherwise (status 0: no answer at all). A 401 opens
   * the sign-in form and, once signed in, sends the same request again: what was asked finishes.
   */
  send(path: string, init?: CallInit): Promise<Response>;
  /** The JSON answer (null for 204). */
  json<T>(path: string, init?: CallInit): Promise<T>;
  /** The JSON answer with the response headers (lists put totals and cursors there). */
  withHeaders<T>(path: string, init?: CallInit): Promise<{ data: T; headers: Headers }>;
  /** A list with its total (`X-Total-Count`) and the next page's cursor (`X-Next-Cursor`). */
  page<T>(path: string, signal?: AbortSignal): Promise<ListPage<T>>;
}

/**
 * Calls to one service's API, with relative paths so a page works behind any host or proxy.
 * `unreachable` is what the user is told when no answer comes at all.
 */
export function apiClient(unreachable: string): ApiClient {
  async function attempt(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(path, {
        ...init,
        headers: { Accept: 'application/json', ...init.headers },
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(0, 'NETWORK', unreachable);
    }
  }
  async function send(path: string, { signIn = true, ...init }: CallInit = {}): Promise<Response> {
    let response = await attempt(path, init);
    // Bodies here are strings (JSON), so the same request can go again after the sign-in; the
    // visitor may sign in as someone who still may not: then the 403 is the answer.
    while (response.status === 401 && signIn && hooks) {
      const method = (init.method ?? 'GET').toUpperCase();
      if (!(await hooks.signIn({ method, path }))) break;
      response = await attempt(path, init);
    }
    if (response.status === 403) hooks?.forbidden();
    if (!response.ok) throw await errorFrom(response);
    return response;
  }
  async function withHeaders<T>(path: string, init?: CallInit) {
    const response = await send(path, init);
    const data = (response.status === 204 ? null : await response.json()) as T;
    return { data, headers: response.headers };
  }
  return {
    send,
    withHeaders,
    json: async <T>(path: string, init?: CallInit) => (await withHeaders<T>(path, init)).data,
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
