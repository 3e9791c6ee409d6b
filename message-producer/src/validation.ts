import { AppError, type ErrorDetail } from '@retro/common';
import type { z } from 'zod';

/**
 * Parses `input` with `schema`, or throws a 400 that lists every offending field. An unknown key
 * (strict schemas: query strings, console bodies) is named on its own, e.g. `{"field": "limt"}`.
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where: 'body' | 'query' = 'body',
): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw AppError.validation(result.error.issues.flatMap((issue) => describe(issue, where)));
}

function describe(issue: z.core.$ZodIssue, where: 'body' | 'query'): ErrorDetail[] {
  const at = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const message = where === 'query' ? 'is not a known query parameter' : 'is not a known field';
    return issue.keys.map((key) => ({ field: [...at, key].join('.'), message }));
  }
  return [{ field: at.length > 0 ? at.join('.') : `(${where})`, message: issue.message }];
}
