/** What a test sends: a JSON `body`, or a `raw` string sent as it is; `token` as a bearer. */
export interface ApiRequest {
  method?: string;
  body?: unknown;
  raw?: string;
  token?: string;
  headers?: Record<string, string>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answers field by field
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer says it is JSON, its text otherwise, undefined when empty. */
  body: T;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ApiCall = <T = any>(path: string, init?: ApiRequest) => Promise<ApiResponse<T>>;

/**
 * `fetch` against one service, JSON in and out: the one HTTP client every test env uses. With a
 * `token` (a test account's, `createTestAccounts`) every call is signed in as that account, unless
 * the call names a token of its own.
 */
export function jsonApi(
  baseUrl: string | (() => string),
  defaults: { token?: string } = {},
): ApiCall {
  return async (path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined || init.raw !== undefined)
      headers['content-type'] ??= 'application/json';
    const token = init.token ?? defaults.token;
    if (token && headers.authorization === undefined) headers.authorization = `Bearer ${token}`;
    const base = typeof baseUrl === 'string' ? baseUrl : baseUrl();
    const res = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers,
      body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
    });
    const text = await res.text();
    const isJson = /\bjson\b/.test(res.headers.get('content-type') ?? '');
    return {
      status: res.status,
      headers: res.headers,
      body: text ? (isJson ? JSON.parse(text) : text) : undefined,
    };
  };
}
