import type { ProcessingTask, TaskStatusUpdate } from '@retro/common';
import type { Logger } from '@retro/common';
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
}

/**
 * Writes task status to the backend. Network errors, timeouts and 5xx (also 408/429) are
 * transient and retried a few times quickly; any other 4xx is permanent and thrown at once.
 */
export function createBackendClient(options: BackendClientOptions): BackendClient {
  const { baseUrl, token, timeoutMs = 5000, retries = 2, logger } = options;

  async function putOnce(messageId: string, update: TaskStatusUpdate): Promise<StatusReply> {
    const url = `${baseUrl.replace(/\/$/, '')}/api/internal/tasks/${encodeURIComponent(messageId)}/status`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(update),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new TransientError(`backend unreachable: ${describeFetchError(error)}`, {
        cause: error,
      });
    }
    const text = await response.text().catch(() => '');
    if (response.ok) {
      try {
        return JSON.parse(text) as StatusReply;
      } catch (error) {
        throw new TransientError('backend answered with a body that is not JSON', {
          cause: error,
        });
      }
    }
    const detail = `backend answered ${response.status} to ${update.status}: ${errorText(text)}`;
    if (response.status >= 500 || response.status === 408 || response.status === 429) {
      throw new TransientError(detail);
    }
    throw new PermanentError(detail);
  }

  return {
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

/** fetch hides the interesting part (ECONNREFUSED, timeout) in `cause`. */
function describeFetchError(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'request timed out';
  const cause = (error as { cause?: { code?: string } } | undefined)?.cause;
  return cause?.code ?? errorMessage(error);
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
