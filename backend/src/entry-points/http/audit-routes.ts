import { listAudit, parseInput, parseQuery } from '@retro/common';
import { Router } from 'express';
import type { DomainContext } from '../../domain/context.js';
import { auditQuery, historyQuery, idParams } from './schemas.js';

/** The audit trail (operators) and one game's history (everyone who may read the catalog). */
export function auditRoutes(ctx: DomainContext): Router {
  const router = Router();

  router.get('/audit', async (req, res) => {
    const query = parseQuery(auditQuery, req.query);
    const { entries, total } = await listAudit(ctx.pool, query);
    res.setHeader('X-Total-Count', String(total));
    res.json(entries);
  });

  router.get('/games/:id/history', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const { limit } = parseQuery(historyQuery, req.query);
    const { entries, total } = await listAudit(ctx.pool, {
      target: `game:${id}`,
      limit,
      offset: 0,
    });
    res.setHeader('X-Total-Count', String(total));
    res.json(entries);
  });

  return router;
}
