import { BACKEND_ROUTES } from '@retro/backend';
import { AccessTable, accessControl, IdentityStore, type AccessOptions } from '@retro/common';
import type { Request, RequestHandler, Response } from 'express';
import { round } from '../lib/load.js';
import { createWorld } from '../lib/world.js';

export interface AccessCheckFigures {
  /** The access check of a game create with a personal token, identity cached (µs). */
  tokenCachedUs: number;
  /** The same with a session cookie (µs). */
  sessionCachedUs: number;
  /** An anonymous read: the table lookup and the host check only (µs). */
  anonymousReadUs: number;
  /** A token whose identity is not cached: one indexed read of MySQL (µs, wall time). */
  tokenUncachedUs: number;
}

/**
 * The backend's access check alone, in this process, over its real route table and identity
 * store on a database of its own: what it adds to each request, cached (every request but one a
 * second per client) and uncached.
 */
export async function accessCheck({ calls }: { calls: number }): Promise<AccessCheckFigures> {
  const world = await createWorld('access');
  try {
    const { sessionId } = await signInDirect(world);
    const options = (identities: IdentityStore): AccessOptions => ({
      table: new AccessTable(BACKEND_ROUTES),
      identities,
      anonymousRole: 'viewer',
      internalToken: 'bench-internal-token-0123456789',
      metricsToken: '',
      allowedHosts: ['localhost', '127.0.0.1'],
      allowedOrigins: [],
    });
    const cached = accessControl(
      options(new IdentityStore(world.pool, { sessionIdleMs: 3_600_000, sessionMaxMs: 3_600_000 })),
    );
    const uncached = accessControl(
      options(
        new IdentityStore(world.pool, {
          sessionIdleMs: 3_600_000,
          sessionMaxMs: 3_600_000,
          cacheMs: 0,
        }),
      ),
    );
    const token = world.accounts.editor.token;
    const create = { method: 'POST', path: '/api/games' };
    return {
      tokenCachedUs: await perCall(cached, calls, { ...create, authorization: `Bearer ${token}` }),
      sessionCachedUs: await perCall(cached, calls, {
        ...create,
        cookie: `retro_session=${sessionId}`,
      }),
      anonymousReadUs: await perCall(cached, calls, { method: 'GET', path: '/api/games' }),
      tokenUncachedUs: await perCall(uncached, Math.min(calls, 2000), {
        ...create,
        authorization: `Bearer ${token}`,
      }),
    };
  } finally {
    await world.cleanup();
  }
}

async function signInDirect(world: Awaited<ReturnType<typeof createWorld>>) {
  const { signIn } = await import('@retro/common');
  const outcome = await signIn(
    world.pool,
    'test-editor',
    world.accounts.editor.password,
    '127.0.0.1',
  );
  if (!outcome.ok) throw new Error('the bench could not sign in');
  return outcome;
}

/** Mean µs per call of `check` on a request of this shape, after a warm-up. */
async function perCall(
  check: RequestHandler,
  calls: number,
  shape: { method: string; path: string; authorization?: string; cookie?: string },
): Promise<number> {
  const headers: Record<string, string> = { host: '127.0.0.1:3000' };
  if (shape.authorization) headers.authorization = shape.authorization;
  if (shape.cookie) headers.cookie = shape.cookie;
  const run = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const req = { method: shape.method, path: shape.path, headers } as unknown as Request;
      const res = { locals: {} } as unknown as Response;
      let passed = false;
      await check(req, res, () => (passed = true));
      if (!passed) throw new Error(`the access check refused ${shape.method} ${shape.path}`);
    }
  };
  await run(Math.min(1000, calls));
  const started = performance.now();
  await run(calls);
  return round(((performance.now() - started) * 1000) / calls, 2);
}
