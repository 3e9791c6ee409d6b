import type { ProcessingTask, TaskStatusUpdate } from '@retro/common';
import type { Logger } from '@retro/common';
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
  /** Closes the idle keep-alive connections. */
  close(): void;
}

/**
 * Writes task status to the backend. Network errors, timeouts and 5xx (also 408/429) are
 * transient and retried a few times quickly; any other 4xx is permanent and thrown at once.
 */
export function createBackendClient(options: BackendClientOptions): BackendClient {
  const { baseUrl, token, timeoutMs = 5000, retries = 2, logger } = options;

  const base = new URL(baseUrl);
  const transport = base.protocol === 'https:' ? https : http;
  // one keep-alive pool for every status write: two writes per message, so connection setup
  // would otherwise cost more than the request itself
  const agent = new transport.Agent({ keepAlive: true });

  async function putOnce(messageId: string, update: TaskStatusUpdate): Promise<StatusReply> {
    const path = `${base.pathname.replace(/\/$/, '')}/api/internal/tasks/${encodeURIComponent(messageId)}/status`;
    let response: { status: number; text: string };
    try {
      response = await put(transport, agent, new URL(path, base), token, update, timeoutMs);
    } catch (error) {
      throw new TransientError(`backend unreachable: ${describeRequestError(error)}`, {
        cause: error,
      });
    }
    const { status, text } = response;
    if (status >= 200 && status < 300) {
      try {
        return JSON.parse(text) as StatusReply;
      } catch (error) {
        throw new TransientError('backend answered with a body that is not JSON', {
          cause: error,
        });
      }
    }
    const detail = `backend answered ${status} to ${update.status}: ${errorText(text)}`;
    if (status >= 500 || status === 408 || status === 429) {
      throw new TransientError(detail);
    }
    throw new PermanentError(detail);
  }

  return {
    close: () => agent.destroy(),
    reportStatus(messageId, update) {
      return pRetry(() => putOnce(messageId, update), {
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

/**
 * One PUT over node:http. `fetch` costs several times more CPU per request, and the consumer
 * makes two of these per message. The timeout covers the whole exchange.
 */
function put(
  transport: typeof http | typeof https,
  agent: http.Agent,
  url: URL,
  token: string,
  update: TaskStatusUpdate,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  const body = JSON.stringify(update);
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
