import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '@retro/common';
import type { RequestHandler } from 'express';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Only callers holding the internal token (the consumer) may write processing statuses. */
export function requireInternalToken(token: string): RequestHandler {
  const expected = digest(token);
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      throw new AppError('UNAUTHORIZED', 401, 'A valid internal API token is required');
    }
    next();
  };
}
