import {
  AppError,
  alertIdParamsSchema,
  alertQuerySchema,
  alertSnoozeBodySchema,
  auditOrigin,
  parseInput,
  parseQuery,
  type AlertList,
} from '@retro/common';
import { Router } from 'express';
import type { Pool } from '../../data-access/db.js';
import { countFiring, listAlerts } from '../../data-access/alerts-repo.js';
import { attendAlert } from '../../domain/alert-actions.js';

const DAY_MS = 86_400_000;

/** The built-in alerts: the list (viewers), acknowledge and snooze (operators, audited). */
export function alertRoutes(pool: Pool): Router {
  const router = Router();

  router.get('/alerts', async (req, res) => {
    const query = parseQuery(alertQuerySchema, req.query);
    const until = query.until ?? new Date();
    const since = query.since ?? new Date(until.getTime() - DAY_MS);
    if (since >= until) {
      throw AppError.validation([{ field: 'since', message: 'must be before until' }]);
    }
    const [alerts, counts] = await Promise.all([
      listAlerts(pool, { since, until, limit: query.limit }),
      countFiring(pool),
    ]);
    const body: AlertList = { alerts, ...counts };
    res.json(body);
  });

  router.post('/alerts/:id/ack', async (req, res) => {
    const { id } = parseInput(alertIdParamsSchema, req.params, 'params');
    res.json(await attendAlert(pool, auditOrigin('backend', req, res), id, 'ack'));
  });

  router.post('/alerts/:id/snooze', async (req, res) => {
    const { id } = parseInput(alertIdParamsSchema, req.params, 'params');
    const { minutes } = parseInput(alertSnoozeBodySchema, req.body, 'body');
    res.json(await attendAlert(pool, auditOrigin('backend', req, res), id, 'snooze', minutes));
  });

  return router;
}
