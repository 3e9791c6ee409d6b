import {
  type Logger,
  type ProcessingTask,
  type TaskStatusUpdate,
  taskStatusReportSchema,
} from '@retro/common';
import http from 'node:http';
import https from 'node:https';
import pRetry from 'p-retry';
import { PermanentError, TransientError, errorMessage } from '../domain/failures.js';

export interface BackendClientOptions {
  /** Base URL of the catalog API, e.g. http://127.0.0.1:3000. */
  baseUrl: string;
  /** Bearer token for the internal endpoints. */
  token: string;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Quick in-place retries for brief blips, before the message goes to the retry queue. */
  retries?: number;
  /** How long a status write waits for others to share its request (when one is in flight). */
  batchWindowMs?: number;
  /** Most status writes in one request. */
  maxBatch?: number;
  logger: Logger;
}

/** The backend's answer to a status write. */
export interface StatusReply {
  /** False when the task was already terminal (completed/failed) and the write was ignored. */
  applied: boolean;
  task: ProcessingTask;
}

export interface BackendClient {
  reportStatus(messageId: string, update: TaskStatusUpdate): Promise<StatusReply>;
  /** Fails the writes still waiting for a request and closes the idle keep-alive connections. */
  close(): void;
}

/** A status write waiting for its batch's answer. */
interface Waiting {
  messageId: string;
  update: TaskStatusUpdate;
  /** The batch item, serialized once. */
  json: string;
  resolve(reply: StatusReply): void;
  reject(error: Error): void;
}

/** Well under the backend's 1 MB body limit for batches, whatever the error texts. */
const MAX_BATCH_BYTES = 256 * 1024;

/**
 * Writes task status to the backend. Every message costs two writes (`processing`, `completed`),
 * and each request costs the backend far more than its content, so writes are coalesced: while a
 * request is in flight, writes wait up to `batchWindowMs` (or until `maxBatch` are waiting, or
 * the request answers) and then go together in one `PUT /api/internal/tasks/status`, applied in
 * one transaction. With nothing in flight a write goes at once, so a quiet consumer adds no delay.
 *
 * Each caller gets its own result or error. Network errors, timeouts and 5xx (also 408/429) fail
 * every write of the batch as transient, and each is retried a few times quickly (in later
 * batches); any other 4xx is permanent and thrown at once.
 */
export function createBackendClient(options: BackendClientOptions): BackendClient {
  const { baseUrl, token, timeoutMs = 5000, retries = 2, logger } = options;
  const { batchWindowMs = 5, maxBatch = 100 } = options;

  const base = new URL(baseUrl);
  const transport = base.protocol === 'https:' ? https : http;
  const apiUrl = (path: string) => new URL(`${base.pathname.replace(/\/$/, '')}${path}`, base);
  const batchUrl = apiUrl('/api/internal/tasks/status');
  // one keep-alive pool for every status write: connection setup would otherwise cost more than
  // the request itself
  const agent = new transport.Agent({ keepAlive: true });

  let waiting: Waiting[] = [];
  let waitingBytes = 0;
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;

  function enqueue(messageId: string, update: TaskStatusUpdate): Promise<StatusReply> {
    // a bad item would make the backend refuse the whole batch: refuse it alone, here
    const item = taskStatusReportSchema.safeParse({ ...update, messageId });
    if (!item.success) {
      const field = item.error.issues[0]?.path.join('.') ?? 'update';
      return Promise.reject(new PermanentError(`invalid status write: ${field} is not valid`));
    }
    return new Promise((resolve, reject) => {
      const json = JSON.stringify(item.data);
      if (waitingBytes + json.length > MAX_BATCH_BYTES) flush();
      waiting.push({ messageId, update, json, resolve, reject });
      waitingBytes += json.length + 1;
      schedule();
    });
  }

  function schedule(): void {
    if (waiting.length === 0) return;
    if (waiting.length >= maxBatch) flush();
    // same-tick callers still join the batch
    else if (inFlight === 0) immediate ??= setImmediate(flush);
    else timer ??= setTimeout(flush, batchWindowMs);
  }

  function flush(): void {
    clearTimeout(timer);
    clearImmediate(immediate);
    timer = immediate = undefined;
    if (waiting.length === 0) return;
    const batch = waiting;
    waiting = [];
    waitingBytes = 0;
    inFlight += 1;
    void send(batch).finally(() => {
      inFlight -= 1;
      schedule();
    });
  }

  async function send(batch: Waiting[]): Promise<void> {
    const body = `{"updates":[${batch.map((w) => w.json).join(',')}]}`;
    let response: { status: number; text: string };
    try {
      response = await put(transport, agent, batchUrl, token, body, timeoutMs);
    } catch (error) {
      const reason = `backend unreachable: ${describeRequestError(error)}`;
      for (const w of batch) w.reject(new TransientError(reason, { cause: error }));
      return;
    }
    const { status, text } = response;
    if (status >= 200 && status < 300) {
      const results = parseResults(text, batch.length);
      if (!results) {
        const reason = 'backend answered with a body that is not a result per status write';
        for (const w of batch) w.reject(new TransientError(reason));
        return;
      }
      batch.forEach((w, i) => w.resolve({ applied: results[i]!.applied, task: results[i]!.task }));
      return;
    }
    // a backend from before the batch route (mid-upgrade): each write goes on its own route
    if (status === 404) return sendEach(batch);
    for (const w of batch) w.reject(failure(w, status, text));
  }

  async function sendEach(batch: Waiting[]): Promise<void> {
    await Promise.all(
      batch.map(async (w) => {
        const url = apiUrl(`/api/internal/tasks/${encodeURIComponent(w.messageId)}/status`);
        try {
          const { status, text } = await put(
            transport,
            agent,
            url,
            token,
            JSON.stringify(w.update),
            timeoutMs,
          );
          if (status < 200 || status >= 300) return w.reject(failure(w, status, text));
          w.resolve(JSON.parse(text) as StatusReply);
        } catch (error) {
          w.reject(new TransientError(`backend unreachable: ${describeRequestError(error)}`));
        }
      }),
    );
  }

  /** 5xx, 408 and 429 may pass; any other 4xx will not. */
  function failure(w: Waiting, status: number, text: string): Error {
    const detail = `backend answered ${status} to ${w.update.status}: ${errorText(text)}`;
    const transient = status >= 500 || status === 408 || status === 429;
    return transient ? new TransientError(detail) : new PermanentError(detail);
  }

  return {
    close() {
      clearTimeout(timer);
      clearImmediate(immediate);
      timer = immediate = undefined;
      for (const w of waiting) w.reject(new TransientError('backend client closed'));
      waiting = [];
      agent.destroy();
    },
    reportStatus(messageId, update) {
      return pRetry(() => enqueue(messageId, update), {
        retries,
        minTimeout: 100,
        maxTimeout: 1000,
        shouldRetry: ({ error }) => error instanceof TransientError,
        onFailedAttempt: ({ error, retriesLeft }) => {
          if (retriesLeft > 0) {
            logger.debug('status write failed, retrying', { reason: error.message, retriesLeft });
          }
        },
      });
    },
  };
}

/** `{results: [...]}` with one result per write, or null. */
function parseResults(text: string, count: number): StatusReply[] | null {
  try {
    const { results } = JSON.parse(text) as { results?: StatusReply[] };
    return Array.isArray(results) && results.length === count ? results : null;
  } catch {
    return null;
  }
}

/**
 * One PUT of a JSON body over node:http. `fetch` costs several times more CPU per request. The
 * timeout covers the whole exchange.
 */
function put(
  transport: typeof http | typeof https,
  agent: http.Agent,
  url: URL,
  token: string,
  body: string,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = transport.request(
      url,
      {
        method: 'PUT',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', fail);
      },
    );
    const timer = setTimeout(() => req.destroy(new RequestTimeout()), timeoutMs);
    function fail(error: Error) {
      clearTimeout(timer);
      reject(error);
    }
    req.on('error', fail);
    req.end(body);
  });
}

class RequestTimeout extends Error {
  constructor() {
    super('request timed out');
    this.name = 'TimeoutError';
  }
}

/** Node's socket errors carry the interesting part (ECONNREFUSED, ECONNRESET) in `code`. */
function describeRequestError(error: unknown): string {
  if (error instanceof RequestTimeout) return 'request timed out';
  const code = (error as { code?: string } | undefined)?.code;
  return code ?? errorMessage(error);
}

function errorText(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: string } };
    if (body.error?.message) return body.error.message;
  } catch {
    // not the JSON error shape; fall through to the raw text
  }
  return text.slice(0, 200) || '(empty body)';
}
