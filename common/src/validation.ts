import type { z } from 'zod';
import { AppError, type ErrorDetail } from './errors.js';

/** Which part of a request a schema checks; named in the error when the whole part is wrong. */
export type RequestPart = 'body' | 'params' | 'query';

/**
 * Parses one part of a request with `schema`, or throws a 400 that names every offending field.
 * An unknown key (strict schemas) is named on its own, e.g. `{"field": "limt"}`; a problem with
 * the part as a whole (a JSON array where an object belongs) is named by the part, e.g. `body`.
 * The services' routes validate with this, and their OpenAPI documents are generated from the
 * same schemas. List endpoints that must also refuse repeated parameters use `parseQuery`.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where: RequestPart = 'body',
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw AppError.validation(
    result.error.issues.flatMap((issue) => describeIssue(issue, where)),
    `Invalid ${where}`,
  );
}

function describeIssue(issue: z.core.$ZodIssue, where: RequestPart): ErrorDetail[] {
  const at = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const message = where === 'query' ? 'is not a known query parameter' : 'is not a known field';
    return issue.keys.map((key) => ({ field: [...at, key].join('.'), message }));
  }
  return [{ field: at.length > 0 ? at.join('.') : where, message: issue.message }];
}
