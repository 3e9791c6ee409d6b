import {
  JOURNEY_NOTES_PER_REPORT,
  type JourneyNote,
  type Logger,
  type ProcessingTask,
  type TaskStatusReport,
  type TaskStatusResult,
  type TaskStatusUpdate,
  taskStatusReportSchema,
} from '@retro/common';
import pRetry from 'p-retry';
import { DownstreamError, PermanentError, errorMessage } from '../domain/failures.js';
import type { JourneyNotes } from '../domain/journey-notes.js';
import { Batcher } from './batcher.js';
import { type HttpAnswer, RequestTimeout, createHttpTransport } from './http-transport.js';

export interface BackendClientOptions {
  /** Base URL of the catalog API, e.g. http://127.0.0.1:3000. */
  baseUrl: string;
  /** Bearer token for the internal endpoints. */
  token: string;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Quick in-place retries for brief blips, before the circuit breaker takes over. */
  retries?: number;
  /** How long a status write waits for others to share its request (when one is in flight). */
  batchWindowMs?: number;
  /** Most status writes in one request. */
  maxBatch?: number;
  /** The steps each report takes along (the message's journey); none when absent. */
  journey?: JourneyNotes;
  logger: Logger;
}

/** The backend's answer to a status write. */
export interface StatusReply {
  /** False when the task was already terminal (completed/failed) and the write was ignored. */
  applied: boolean;
  task: ProcessingTask;
}

/** A status write on its way (see `BackendClient.beginReport`). */
export interface PendingReport {
  /** The backend's answer, for this write or for the one that superseded it. */
  reply: Promise<StatusReply>;
  /**
   * Replaces the write with `update` (a later status of the same message) while it still waits
   * for its request, so the message costs one write instead of two; `reply` then answers for
   * `update`. False once the write has been sent (or was invalid): send `update` on its own.
   */
  supersede(update: TaskStatusUpdate): boolean;
}

export interface BackendClient {
  /**
   * Rejects with DownstreamError when the backend could not take it (unreachable, timeout, 5xx,
   * 408/429, 401/403) and PermanentError when it says the report itself is wrong (any other 4xx,
   * or a batch item it refused).
   */
  reportStatus(messageId: string, update: TaskStatusUpdate): Promise<StatusReply>;
  /** Like `reportStatus`, but the write can be superseded until it is sent. Same errors. */
  beginReport(messageId: string, update: TaskStatusUpdate): PendingReport;
  /** Resolves when the backend is ready and accepts our token; else throws a DownstreamError. */
  probe(): Promise<void>;
  /** Fails the writes still waiting for a request and closes the idle keep-alive connections. */
  close(): void;
}

const BATCH_PATH = '/api/internal/tasks/status';
/** Well under the backend's 1 MB body limit for batches, whatever the error texts. */
const MAX_BATCH_BYTES = 256 * 1024;

/**
 * Writes task status to the backend. Every message costs two writes (`processing`, `completed`),
 * and each request costs the backend far more than its content, so writes are coalesced into
 * `PUT /api/internal/tasks/status` batches, applied in one transaction (see Batcher). Failures
 * that are the backend's (DownstreamError) get a few quick in-place retries for brief blips.
 */
export function createBackendClient(options: BackendClientOptions): BackendClient {
  const { baseUrl, token, timeoutMs = 5000, retries = 2, journey, logger } = options;
  const http = createHttpTransport(baseUrl, token, timeoutMs);
  const batcher = new Batcher<TaskStatusReport & { json: string }, StatusReply>({
    send: sendBatch,
    windowMs: options.batchWindowMs ?? 5,
    maxItems: options.maxBatch ?? 100,
    maxBytes: MAX_BATCH_BYTES,
    sizeOf: (item) => item.json.length + 1,
  });

  async function sendBatch(items: Array<TaskStatusReport & { json: string }>) {
    const answer = await exchange(() =>
      http.put(BATCH_PATH, `{"updates":[${items.map((i) => i.json).join(',')}]}`),
    );
    // a backend from before the batch route (mid-upgrade): each write goes on its own route
    if (answer.status === 404) return Promise.all(items.map(sendOne));
    if (!ok(answer)) throw refusal(answer, items[0]!.status);
    const results = parseResults(answer.text, items.length);
    if (!results) {
      throw new DownstreamError('server_error', 'backend answered a batch without its results');
    }
    return results.map((result, i) =>
      result.error
        ? new PermanentError(
            `backend refused the ${items[i]!.status} report: ${result.error.message}`,
          )
        : { applied: result.applied, task: result.task },
    );
  }

  async function sendOne({
    messageId,
    json: _json,
    ...update
  }: TaskStatusReport & { json: string }) {
    const path = `/api/internal/tasks/${encodeURIComponent(messageId)}/status`;
    const answer = await exchange(() => http.put(path, JSON.stringify(update))).catch(
      (error: Error) => error,
    );
    if (answer instanceof Error) return answer;
    if (!ok(answer)) return refusal(answer, update.status);
    return JSON.parse(answer.text) as StatusReply;
  }

  type Item = TaskStatusReport & { json: string };

  /** The write as the backend takes it, or why it is refused here (alone, not its batch). */
  function toItem(messageId: string, update: TaskStatusUpdate): Item | PermanentError {
    const item = taskStatusReportSchema.safeParse({ ...update, messageId });
    if (!item.success) {
      const field = item.error.issues[0]?.path.join('.') ?? 'update';
      return new PermanentError(`invalid status write: ${field} is not valid`);
    }
    return { ...item.data, json: JSON.stringify(item.data) };
  }

  function onFailedAttempt(error: unknown, retriesLeft: number) {
    if (retriesLeft > 0) {
      logger.debug('status write failed, retrying', { reason: errorMessage(error), retriesLeft });
    }
  }

  function beginReport(messageId: string, update: TaskStatusUpdate): PendingReport {
    const notes = journey?.take(messageId);
    let item = toItem(messageId, withNotes(update, notes));
    if (item instanceof Error) {
      journey?.restore(messageId, notes);
      return { reply: Promise.reject(item), supersede: () => false };
    }
    // the first attempt can be superseded while it waits; quick retries send the latest write.
    // Nearly every write succeeds at once, so only a failed one pays for p-retry's machinery:
    // the schedule is p-retry's own (100 ms before the first retry, doubling, at most 1 s)
    const first = batcher.enqueue(item);
    const reply = first.result.catch(async (error: unknown) => {
      if (retries === 0 || !retryable(error)) throw error;
      onFailedAttempt(error, retries);
      await new Promise((resolve) => setTimeout(resolve, FIRST_RETRY_AFTER_MS));
      return pRetry(() => batcher.add(item as Item), {
        retries: retries - 1,
        minTimeout: 2 * FIRST_RETRY_AFTER_MS,
        maxTimeout: 1000,
        shouldRetry: ({ error }) => retryable(error),
        onFailedAttempt: ({ error, retriesLeft }) => onFailedAttempt(error, retriesLeft),
      });
    });
    return {
      reply,
      supersede(next) {
        const more = journey?.take(messageId);
        const all = [...(notes ?? []), ...(more ?? [])].slice(-JOURNEY_NOTES_PER_REPORT);
        const nextItem = toItem(messageId, withNotes(next, all));
        if (nextItem instanceof Error || !first.replace(nextItem)) {
          journey?.restore(messageId, more);
          return false;
        }
        item = nextItem;
        return true;
      },
    };
  }

  return {
    reportStatus: (messageId, update) => beginReport(messageId, update).reply,
    beginReport,
    async probe() {
      const ready = await exchange(() => http.get('/ready'));
      if (!ok(ready)) {
        throw new DownstreamError('server_error', `backend not ready: ${errorText(ready.text)}`);
      }
      // an empty batch is refused as invalid (400) once the token passes, 401/403 before
      const auth = await exchange(() => http.put(BATCH_PATH, '{"updates":[]}'));
      if (auth.status === 401 || auth.status === 403) throw refusal(auth, 'probe');
    },
    close() {
      batcher.close(new DownstreamError('unreachable', 'backend client closed'));
      http.close();
    },
  };
}

/** The report with the journey steps it takes along, if any. */
function withNotes(update: TaskStatusUpdate, notes: JourneyNote[] | undefined): TaskStatusUpdate {
  return notes?.length ? { ...update, journey: notes } : update;
}

/** How long a failed status write waits before its first quick retry. */
const FIRST_RETRY_AFTER_MS = 100;

/** Whether a quick retry may help: the backend's own failures, except a refused token. */
const retryable = (error: unknown) =>
  error instanceof DownstreamError && error.kind !== 'unauthorized';

/** One request; a network failure or timeout becomes a DownstreamError. */
async function exchange(request: () => Promise<HttpAnswer>): Promise<HttpAnswer> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof RequestTimeout) {
      throw new DownstreamError('timeout', 'backend did not answer in time', { cause: error });
    }
    const code = (error as { code?: string } | undefined)?.code;
    throw new DownstreamError(
      'unreachable',
      `backend unreachable: ${code ?? errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
}

const ok = ({ status }: HttpAnswer) => status >= 200 && status < 300;

/** 5xx, 408 and 429 are the backend's trouble, 401/403 its configuration's; other 4xx the report's. */
function refusal({ status, text }: HttpAnswer, what: string): Error {
  const detail = `backend answered ${status} to ${what}: ${errorText(text)}`;
  if (status === 401 || status === 403) {
    return new DownstreamError(
      'unauthorized',
      `${detail}; INTERNAL_API_TOKEN must be the same on the backend and every consumer`,
    );
  }
  if (status === 429) return new DownstreamError('rate_limited', detail);
  if (status === 408) return new DownstreamError('timeout', detail);
  if (status >= 500 || status < 400) return new DownstreamError('server_error', detail);
  return new PermanentError(detail);
}

/** `{results: [...]}` with one result per write, or null. */
function parseResults(text: string, count: number): TaskStatusResult[] | null {
  try {
    const { results } = JSON.parse(text) as { results?: TaskStatusResult[] };
    return Array.isArray(results) && results.length === count ? results : null;
  } catch {
    return null;
  }
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
