import { AppError, auditOrigin, noQuery, parseInput, parseQuery } from '@retro/common';
import { Router } from 'express';
import * as games from '../../data-access/games-repo.js';
import type { DomainContext } from '../../domain/context.js';
import * as catalog from '../../domain/games.js';
import { gameETag, ifMatchVersions } from './game-etag.js';
import { gameBody, gameQuery, idParams } from './schemas.js';

export function catalogRoutes(ctx: DomainContext): Router {
  const router = Router();

  router.get('/platforms', async (req, res) => {
    parseQuery(noQuery, req.query);
    res.json(await games.listPlatforms(ctx.pool));
  });

  router.get('/genres', async (req, res) => {
    parseQuery(noQuery, req.query);
    res.json(await games.listGenres(ctx.pool));
  });

  router.get('/games', async (req, res) => {
    const query = parseQuery(gameQuery, req.query);
    const { games: page, total, nextCursor } = await games.listGames(ctx.pool, query);
    res.setHeader('X-Total-Count', String(total));
    if (nextCursor) res.setHeader('X-Next-Cursor', nextCursor);
    res.json(page);
  });

  router.get('/games/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const found = await games.findGame(ctx.pool, id);
    if (!found) throw AppError.notFound(`Game ${id}`);
    // The ETag names the version of the editable fields, for If-Match; the body also carries
    // the processing status, which moves without it. So no cache may keep this answer, and a
    // revalidation (If-None-Match) always gets the game as it is now, never a 304.
    res.setHeader('ETag', gameETag(id, found.version));
    res.setHeader('Cache-Control', 'no-store');
    delete req.headers['if-none-match'];
    res.json(found.game);
  });

  router.post('/games', async (req, res) => {
    const input = parseInput(gameBody, req.body, 'body');
    const { game, version } = await catalog.createGame(
      ctx,
      auditOrigin('backend', req, res),
      input,
    );
    res.setHeader('ETag', gameETag(game.id, version));
    res.status(201).location(`/api/games/${game.id}`).json(game);
  });

  // If-Match is checked inside the write's transaction, on the locked row
  router.put('/games/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const expected = ifMatchVersions(req, id);
    const input = parseInput(gameBody, req.body, 'body');
    const origin = auditOrigin('backend', req, res);
    const { game, version } = await catalog.updateGame(ctx, origin, id, input, expected);
    res.setHeader('ETag', gameETag(id, version));
    res.json(game);
  });

  router.delete('/games/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const expected = ifMatchVersions(req, id);
    await catalog.deleteGame(ctx, auditOrigin('backend', req, res), id, expected);
    res.status(204).end();
  });

  router.get('/processing', async (req, res) => {
    parseQuery(noQuery, req.query);
    res.json(await games.listUnfinished(ctx.pool));
  });

  return router;
}
