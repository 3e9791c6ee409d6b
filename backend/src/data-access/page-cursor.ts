import { AppError } from '@retro/common';

/**
 * Keyset pagination: a cursor names the last row of a page by its sort key, and the next page is
 * the rows after it in that order: a seek into an index, however deep, and no row is shown twice
 * or skipped when rows are added or removed in between (docs/performance.md). Opaque to clients:
 * base64url of `[order, ...key]`.
 */
export function encodeCursor(order: string, key: unknown[]): string {
  return Buffer.from(JSON.stringify([order, ...key])).toString('base64url');
}

/** The key in a cursor made for `order`; a 400 naming `after` for anything else. */
export function decodeCursor(cursor: string, order: string, shape: string[]): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const valid =
    Array.isArray(parsed) &&
    parsed[0] === order &&
    parsed.length === shape.length + 1 &&
    shape.every((type, i) => typeof parsed[i + 1] === type);
  if (!valid) {
    throw AppError.validation([
      { field: 'after', message: 'is not a cursor of this list and sort order' },
    ]);
  }
  return (parsed as unknown[]).slice(1);
}
