import {
  auditRecordSchema,
  invalidRequest,
  totalCountHeader,
  type OperationDoc,
} from '@retro/common';
import { z } from 'zod';
import { auditQuery, historyQuery, idParams } from './schemas.js';

const exampleEntry = {
  id: 41,
  at: '2026-01-05T10:00:00.000Z',
  service: 'backend',
  actor: 'ada',
  role: 'editor',
  action: 'game.update',
  target: 'game:12',
  requestId: '0b7f3c52-6a4e-4f0e-9d3c-8f2e1a7b9c10',
  detail: { before: { title: 'Mega Man 2' }, after: { title: 'Mega Man 2 (Rockman 2)' } },
};

/** The audit trail and a game's history, documented from their schemas. */
export const auditOperations: OperationDoc[] = [
  {
    method: 'get',
    path: '/api/audit',
    tag: 'audit',
    summary: 'Every recorded state change, newest first, filtered and paged',
    description:
      'The actor is the account signed in (session or token), never a header. `from` inclusive, `to` exclusive. Unknown or repeated parameters are refused with 400.',
    query: auditQuery,
    responses: {
      200: {
        description: 'A page of entries',
        schema: z.array(auditRecordSchema),
        example: [exampleEntry],
        headers: totalCountHeader,
      },
      400: invalidRequest,
    },
  },
  {
    method: 'get',
    path: '/api/games/:id/history',
    tag: 'catalog',
    summary: "A game's changes (create, update, delete), newest first: who and which fields",
    params: idParams,
    query: historyQuery,
    responses: {
      200: {
        description: 'Its audit entries; `detail` has the changed fields `before` and `after`',
        schema: z.array(auditRecordSchema),
        example: [exampleEntry],
        headers: totalCountHeader,
      },
      400: invalidRequest,
    },
  },
];
