import { AppError, noQuery, parseInput, parseQuery } from '@retro/common';
import { Router } from 'express';
import * as games from '../../data-access/games-repo.js';
import type { DomainContext } from '../../domain/context.js';
import * as catalog from '../../domain/games.js';
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
    const game = await games.findGame(ctx.pool, id);
    if (!game) throw AppError.notFound(`Game ${id}`);
    res.json(game);
  });

  router.post('/games', async (req, res) => {
    const input = parseInput(gameBody, req.body, 'body');
    const game = await catalog.createGame(ctx, input);
    res.status(201).location(`/api/games/${game.id}`).json(game);
  });

  router.put('/games/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const input = parseInput(gameBody, req.body, 'body');
    res.json(await catalog.updateGame(ctx, id, input));
  });

  router.delete('/games/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'params');
    await catalog.deleteGame(ctx, id);
    res.status(204).end();
  });

  router.get('/processing', async (req, res) => {
    parseQuery(noQuery, req.query);
    res.json(await games.listUnfinished(ctx.pool));
  });

  return router;
}
