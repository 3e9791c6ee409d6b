import express, { Router, type Request, type Response } from 'express';
import type { Pool } from 'mysql2/promise';
import { passwordChangeBodySchema, signInBodySchema, type SessionInfo } from '../access-api.js';
import { AppError } from '../errors.js';
import { parseInput } from '../validation.js';
import { principalOf, SESSION_COOKIE, sessionCookie } from './access.js';
import { changeOwnPassword, endSession, signIn } from './sessions.js';
import { auditOrigin, recordAudit } from './audit.js';
import type { IdentityStore } from './identity.js';

export interface SessionRouteOptions {
  pool: Pool;
  identities: IdentityStore;
  service: string;
  /** `auto`: Secure when the request came over TLS (as a trusted proxy says). */
  cookieSecure: 'auto' | 'true' | 'false';
  sessionMaxMs: number;
  /** Counts sign-ins by outcome: `success`, `failure`, `throttled`. */
  onSignIn?: (outcome: 'success' | 'failure' | 'throttled') => void;
}

/**
 * `/api/session`: sign in (a new session id every time: nothing a client offered before is ever
 * accepted as a session), who am I, sign out, and change one's own password. The same on the
 * backend and the producer: both read the sessions table, so one cookie serves both pages.
 */
export function sessionRoutes(options: SessionRouteOptions): Router {
  const router = Router();
  const body = express.json({ limit: '4kb', strict: true });

  const setCookie = (req: Request, res: Response, value: string, maxAgeMs: number) => {
    const secure =
      options.cookieSecure === 'true' || (options.cookieSecure === 'auto' && req.secure);
    res.cookie(SESSION_COOKIE, value, {
      httpOnly: true,
      sameSite: 'lax',
      secure,
      path: '/',
      maxAge: maxAgeMs,
    });
  };

  router.post('/session', body, async (req, res) => {
    const { username, password } = parseInput(signInBodySchema, req.body, 'body');
    const outcome = await signIn(options.pool, username, password, req.ip ?? '');
    if (!outcome.ok) {
      options.onSignIn?.(outcome.throttled ? 'throttled' : 'failure');
      await recordAudit(options.pool, auditOrigin(options.service, req, res), {
        action: outcome.throttled ? 'sign-in-throttled' : 'sign-in-failed',
        target: `account:${username.slice(0, 64)}`,
      });
      if (outcome.throttled) {
        res.setHeader('Retry-After', String(outcome.retryAfterSeconds));
        throw new AppError('RATE_LIMITED', 429, 'Too many failed sign-ins; wait and try again');
      }
      throw new AppError('UNAUTHORIZED', 401, 'Wrong user name or password');
    }
    const previous = sessionCookie(req);
    if (previous) await endSession(options.pool, previous);
    options.onSignIn?.('success');
    setCookie(req, res, outcome.sessionId, options.sessionMaxMs);
    const info: SessionInfo = { username: outcome.username, role: outcome.role };
    res.json(info);
  });

  router.get('/session', (_req, res) => {
    const principal = principalOf(res);
    if (!principal) throw new AppError('UNAUTHORIZED', 401, 'Not signed in');
    const info: SessionInfo = { username: principal.username, role: principal.role };
    res.json(info);
  });

  router.delete('/session', async (req, res) => {
    const id = sessionCookie(req);
    if (id) {
      await endSession(options.pool, id);
      options.identities.forgetSession(id);
    }
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  router.put('/session/password', body, async (req, res) => {
    const principal = principalOf(res);
    if (!principal?.accountId) throw new AppError('UNAUTHORIZED', 401, 'Not signed in');
    const change = parseInput(passwordChangeBodySchema, req.body, 'body');
    const changed = await changeOwnPassword(
      options.pool,
      principal.accountId,
      change.currentPassword,
      change.newPassword,
      sessionCookie(req),
    );
    if (!changed)
      throw AppError.validation([
        { field: 'currentPassword', message: 'is not the current password' },
      ]);
    await recordAudit(options.pool, auditOrigin(options.service, req, res), {
      action: 'password-change',
      target: `account:${principal.username}`,
    });
    res.status(204).end();
  });

  return router;
}
