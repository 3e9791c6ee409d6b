/** Where the backend is and how the producer signs its calls in. */
export interface BackendClient {
  url: string;
  /**
   * INTERNAL_API_TOKEN, sent as `Authorization: Bearer`: the backend lets the services' token
   * read (viewer routes) whatever AUTH_ANONYMOUS_ROLE allows anonymous callers.
   */
  token: string;
}

/**
 * Whether the backend knows a processing task with this message id: `GET /api/tasks/{id}`, 200
 * for yes and 404 for no. Anything else (unreachable, no answer within `timeoutMs`, 401/403 for a
 * token the backend does not share, 5xx) throws with the reason: the caller cannot tell, and must
 * not guess.
 */
export async function taskExists(
  backend: BackendClient,
  messageId: string,
  timeoutMs: number,
): Promise<boolean> {
  const base = new URL(backend.url);
  const path = `${base.pathname.replace(/\/$/, '')}/api/tasks/${encodeURIComponent(messageId)}`;
  let response: Response;
  try {
    response = await fetch(new URL(path, base), {
      headers: { accept: 'application/json', authorization: `Bearer ${backend.token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new Error(fetchFailure(error, timeoutMs), { cause: error });
  }
  await response.body?.cancel(); // only the status matters; frees the connection at once
  if (response.status === 200) return true;
  if (response.status === 404) return false;
  if (response.status === 401 || response.status === 403) {
    throw new Error(
      `the backend refused the producer's token (${response.status}): is INTERNAL_API_TOKEN the same on both?`,
    );
  }
  throw new Error(`the backend answered ${response.status}`);
}

/** fetch says "fetch failed" for every network error; the cause holds the useful part. */
function fetchFailure(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError') return `the backend did not answer within ${timeoutMs} ms`;
  if (e.cause?.code) return `the backend is unreachable (${e.cause.code})`;
  return `the backend is unreachable (${e.message ?? String(error)})`;
}
