import { z } from 'zod';
import { AppError, type ErrorDetail } from './errors.js';

/** The query of an endpoint that takes no parameters. */
export const noQuery = z.object({});

/**
 * Parses a list endpoint's query string (Express's simple parser: `?a=1&a=2` gives an array,
 * `?a[]=1` a parameter named `a[]`) against `schema`, the object of its parameters. A parameter
 * the endpoint does not know, or one given more than once, is a 400 naming it, together with any
 * invalid value: ignoring it would answer another question than the one the client asked.
 */
export function parseQuery<S extends z.ZodObject>(schema: S, query: unknown): z.output<S> {
  const known = Object.keys(schema.shape);
  const unknown = known.length
    ? `is not a parameter of this endpoint (it takes ${known.join(', ')})`
    : 'is not a parameter of this endpoint (it takes none)';
  const details: ErrorDetail[] = [];
  const given: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(query ?? {})) {
    if (!known.includes(name)) details.push({ field: name, message: unknown });
    else if (Array.isArray(value)) details.push({ field: name, message: 'must be given once' });
    else given[name] = value;
  }
  const result = schema.safeParse(given);
  for (const issue of result.error?.issues ?? []) {
    details.push({ field: issue.path.join('.') || 'query', message: issue.message });
  }
  if (details.length || !result.success) throw AppError.validation(details, 'Invalid query');
  return result.data;
}

/**
 * The deepest `offset` a list endpoint serves: a page that deep costs a walk of every row before
 * it, so a client reading further uses the list's cursor (`after` / `before`) or narrows its
 * filters. Documented per list in docs/api.md.
 */
export const OFFSET_MAX = 10_000;

/**
 * A list's `offset` parameter, at most OFFSET_MAX; `beyond` tells the client how to read past
 * it (the list's cursor, or a narrower filter where the list has none).
 */
export function offsetParam(beyond: string) {
  return z.coerce
    .number('must be a number')
    .int('must be a whole number')
    .min(0, 'must be 0 or more')
    .max(OFFSET_MAX, `must be at most ${OFFSET_MAX}; ${beyond}`)
    .default(0);
}
