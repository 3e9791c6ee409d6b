import type { ServerResponse } from 'node:http';

/** An answer in the API's error shape; a response already under way is cut instead. */
export function sendApiError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ error: { code, message, details: [] } }));
}
