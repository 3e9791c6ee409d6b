/** The producer's HTTP API, typed as the page uses it. */

export type MessageKind = 'custom' | 'game-event' | 'raw';

export interface Template {
  id: string;
  name: string;
  group: string;
  expect: string;
  kind: MessageKind;
  payload: Record<string, unknown>;
}

export interface PublishResult {
  messageId: string;
  eventId?: string;
  queue: string;
}

export interface BulkJob {
  jobId: string;
  kind: MessageKind;
  count: number;
  sent: number;
  confirmed: number;
  failed: number;
  status: 'running' | 'completed' | 'failed' | 'cancelled';
  error: string | null;
}

export interface QueueStats {
  role: 'main' | 'retry' | 'dlq';
  name: string;
  messageCount: number;
  consumerCount: number;
}

export interface Info {
  queues: { main: string; retry: string; dlq: string };
  maxRetries: number;
  frontendPort: number;
}

/** An error answer of the API (`{error: {code, message, details}}`), or no answer at all. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { field: string; message: string }[] = [],
  ) {
    super(message);
  }

  /** The producer could not do it now: broker away, a queue missing, or the backend away. */
  get unavailable(): boolean {
    return this.code === 'SERVICE_UNAVAILABLE';
  }
}

/** Sends a request; answers the response when it is 2xx, else throws its `ApiError`. */
async function send(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The producer service is not answering (is it running?)');
  }
  if (response.ok) return response;
  const data: unknown = await response.json().catch(() => null);
  const error = (data as { error?: { code?: string; message?: string; details?: [] } } | null)
    ?.error;
  throw new ApiError(
    response.status,
    error?.code ?? 'HTTP_' + response.status,
    error?.message ?? `HTTP ${response.status}`,
    error?.details ?? [],
  );
}

/** A JSON answer with the response headers (list endpoints put totals and cursors there). */
export async function callWithHeaders<T>(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
): Promise<{ data: T; headers: Headers }> {
  const response = await send(method, path, body, headers);
  const data = (response.status === 204 ? null : await response.json().catch(() => null)) as T;
  return { data, headers: response.headers };
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  return (await callWithHeaders<T>(method, path, body)).data;
}

export const api = {
  info: () => call<Info>('GET', '/api/info'),
  templates: () => call<{ templates: Template[] }>('GET', '/api/templates'),
  publish: (kind: MessageKind, request: unknown) =>
    call<PublishResult>('POST', `/api/messages/${kind}`, request),
  bulk: (kind: MessageKind, count: number, payload: unknown) =>
    call<BulkJob>('POST', '/api/messages/bulk', { kind, count, payload }),
  bulkJob: (jobId: string) =>
    call<BulkJob>('GET', `/api/messages/bulk/${encodeURIComponent(jobId)}`),
  queues: () => call<{ queues: QueueStats[] }>('GET', '/api/queues'),
};
