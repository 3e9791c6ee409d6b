import { once } from 'node:events';
import { AppError, parseInput } from '@retro/common';
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { encodeCursor } from '../data-access/archive-filter.js';
import type { DeadLetterConsole } from '../domain/dead-letter-console.js';
import type { DeadLetterDeletes } from '../domain/dead-letter-deletes.js';
import type { ReplayJobs } from '../domain/replay-jobs.js';

import { actorOf } from './actor.js';
import {
  auditQuery,
  deleteBody,
  editBody,
  exportQuery,
  groupsQuery,
  listQuery,
  quarantineQuery,
  replayBody,
  restoreBody,
  rowId,
  toTarget,
} from './dead-letter-schemas.js';

/**
 * The console over the dead-letter archive: `/api/dead-letters/...` (docs/producer.md). Who may
 * call which route is the route table's to say (access-table.ts), not these handlers'.
 */
export function deadLetterRoutes(
  deadLetters: DeadLetterConsole,
  deletes: DeadLetterDeletes,
  jobs: ReplayJobs,
): Router {
  const router = Router();

  const listRoute = (deleted: boolean) => async (req: Request, res: Response) => {
    const { limit, cursor, ...filter } = parseInput(listQuery, req.query, 'query');
    const { items, next, total } = await deadLetters.list({ ...filter, deleted }, limit, cursor);
    res.setHeader('X-Total-Count', String(total));
    if (next) res.setHeader('X-Next-Cursor', encodeCursor(next));
    res.json(items);
  };
  router.get('/dead-letters', listRoute(false));
  // an operator's route (the table says so): what was deleted, by whom and when
  router.get('/dead-letters/deleted', listRoute(true));

  router.get('/dead-letters/groups', async (req, res) => {
    const { groups, total } = await deadLetters.groups(parseInput(groupsQuery, req.query, 'query'));
    res.setHeader('X-Total-Count', String(total));
    res.json(groups);
  });

  router.get('/dead-letters/export', async (req, res) => {
    const filter = parseInput(exportQuery, req.query, 'query');
    await streamNdjson(res, deadLetters.export(filter));
  });

  router.get('/dead-letters/audit', async (req, res) => {
    const { entries, total } = await deadLetters.audit(parseInput(auditQuery, req.query, 'query'));
    res.setHeader('X-Total-Count', String(total));
    res.json(entries);
  });

  // before `/dead-letters/:id`, which would take "quarantine" for an id
  router.get('/dead-letters/quarantine', async (req, res) => {
    const query = parseInput(quarantineQuery, req.query, 'query');
    const { items, total } = await deadLetters.quarantined(query);
    res.setHeader('X-Total-Count', String(total));
    res.json(items);
  });

  router.get('/dead-letters/replays', (_req, res) => {
    res.json(jobs.list());
  });

  router.post('/dead-letters/replays', async (req, res) => {
    const { rate, includeReplayed, ...target } = parseInput(replayBody, req.body ?? {});
    const { job } = await deadLetters.replay(
      toTarget(target),
      { rate, includeReplayed },
      actorOf(req, res),
    );
    res.status(202).location(`/api/dead-letters/replays/${job.jobId}`).json(job);
  });

  router.get('/dead-letters/replays/:jobId', (req, res) => {
    const job = jobs.get(req.params.jobId);
    if (!job) throw AppError.notFound(`Replay job ${req.params.jobId}`);
    res.json(job);
  });

  router.post('/dead-letters/replays/:jobId/cancel', async (req, res) => {
    res.status(202).json(await deadLetters.cancelReplay(req.params.jobId, actorOf(req, res)));
  });

  router.post('/dead-letters/delete', async (req, res) => {
    const target = toTarget(parseInput(deleteBody, req.body ?? {}));
    res.json(await deletes.delete(target, actorOf(req, res)));
  });

  router.post('/dead-letters/restore', async (req, res) => {
    const target = toTarget(parseInput(restoreBody, req.body ?? {}));
    res.json(await deletes.restore(target, actorOf(req, res)));
  });

  router.get('/dead-letters/:id', async (req, res) => {
    res.json(await deadLetters.get(idParam(req)));
  });

  router.delete('/dead-letters/:id', async (req, res) => {
    await deletes.delete({ ids: [idParam(req)] }, actorOf(req, res));
    res.status(204).end();
  });

  router.post('/dead-letters/:id/edit-and-replay', async (req, res) => {
    const id = idParam(req);
    const { body, headers } = parseInput(editBody, req.body ?? {});
    const result = await deadLetters.editAndReplay(id, { ...body, headers }, actorOf(req, res));
    res.status(201).json(result);
  });

  return router;
}

export const idParams = z.object({ id: rowId });

function idParam(req: Request): number {
  return parseInput(idParams, req.params, 'params').id;
}

/**
 * Writes each row as one JSON line, a page at a time, waiting for the client to drain. The first
 * page is read before the headers go out, so a database failure still answers with an error.
 * A failure after that can only cut the stream short: the client sees an incomplete last line.
 */
async function streamNdjson(res: Response, pages: AsyncGenerator<object[]>): Promise<void> {
  const first = await pages.next();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  res.status(200);
  res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="dead-letters-${stamp}.ndjson"`);
  let closed = false;
  res.on('close', () => (closed = true));
  try {
    let page = first;
    while (!page.done && !closed) {
      for (const row of page.value) {
        // a client that hangs up never drains: wait for either
        if (!res.write(`${JSON.stringify(row)}\n`)) {
          await Promise.race([once(res, 'drain'), once(res, 'close')]);
        }
        if (closed) break;
      }
      page = await pages.next();
    }
    res.end();
  } catch (error) {
    res.destroy(error instanceof Error ? error : undefined);
  } finally {
    await pages.return(undefined);
  }
}
