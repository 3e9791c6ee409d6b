import { AppError } from '@retro/common';
import type { z } from 'zod';

/** Parses `value` or throws a 400 that names every offending field. (Queries: `parseQuery`.) */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'body' | 'params',
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw AppError.validation(
    result.error.issues.map((issue) => ({
      field: issue.path.length ? issue.path.join('.') : where,
      message: issue.message,
    })),
    `Invalid ${where}`,
  );
}
