import {
  deadLetterDeleteResultSchema,
  deadLetterRestoreResultSchema,
  errorBodySchema,
  invalidRequest,
  notFound,
  type OperationDoc,
} from '@retro/common';
import { z } from 'zod';
import { idParams } from './dead-letter-routes.js';
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
} from './dead-letter-schemas.js';

const jobParams = z.object({ jobId: z.string() });
const paged = 'Total in X-Total-Count';

/** The dead-letter console's routes (docs/producer.md), documented from their schemas. */
export const consoleOperations: OperationDoc[] = [
  {
    method: 'get',
    path: '/api/dead-letters',
    tag: 'dead letters',
    summary: 'Archived messages, filtered',
    description: `${paged}; the next page’s cursor in X-Next-Cursor.`,
    query: listQuery,
    responses: { 200: { description: 'A page of archived messages' }, 400: invalidRequest },
  },
  {
    method: 'get',
    path: '/api/dead-letters/deleted',
    tag: 'dead letters',
    summary: 'Deleted messages, restorable until purged (with deletedAt and deletedBy)',
    description: `${paged}; the next page’s cursor in X-Next-Cursor. The same filters as the list.`,
    query: listQuery,
    responses: { 200: { description: 'A page of deleted messages' }, 400: invalidRequest },
  },
  {
    method: 'get',
    path: '/api/dead-letters/groups',
    tag: 'dead letters',
    summary: 'Failure groups (same reason and shape)',
    description: paged,
    query: groupsQuery,
    responses: { 200: { description: 'Groups' }, 400: invalidRequest },
  },
  {
    method: 'get',
    path: '/api/dead-letters/export',
    tag: 'dead letters',
    summary: 'Matching messages as NDJSON, one per line',
    query: exportQuery,
    responses: {
      200: { description: 'NDJSON', contentType: 'application/x-ndjson' },
      400: invalidRequest,
    },
  },
  {
    method: 'get',
    path: '/api/dead-letters/audit',
    tag: 'dead letters',
    summary: 'Who replayed, edited, deleted or restored what',
    description: paged,
    query: auditQuery,
    responses: { 200: { description: 'Audit entries' }, 400: invalidRequest },
  },
  {
    method: 'get',
    path: '/api/dead-letters/quarantine',
    tag: 'dead letters',
    summary: 'Parked messages the archive refused, with why (read-only)',
    description:
      `${paged}; newest first, the next page with \`before\` = the last id. Each: ` +
      '`{id, messageId, reason, errorCode, quarantinedAt, body, bodyEncoding, bodyBytes, ' +
      'bodyTruncated, headers, properties}`.',
    query: quarantineQuery,
    responses: { 200: { description: 'Quarantined messages' }, 400: invalidRequest },
  },
  {
    method: 'get',
    path: '/api/dead-letters/replays',
    tag: 'dead letters',
    summary: 'Replay jobs',
    responses: { 200: { description: 'Jobs' } },
  },
  {
    method: 'post',
    path: '/api/dead-letters/replays',
    tag: 'dead letters',
    summary: 'Replay messages by ids, group or filter, at a rate',
    body: replayBody,
    example: { group: '0123456789ab', rate: 50 },
    responses: { 202: { description: 'The job, to poll' }, 400: invalidRequest },
  },
  {
    method: 'get',
    path: '/api/dead-letters/replays/:jobId',
    tag: 'dead letters',
    summary: 'A replay job’s progress',
    params: jobParams,
    responses: { 200: { description: 'The job' }, 404: notFound('replay job') },
  },
  {
    method: 'post',
    path: '/api/dead-letters/replays/:jobId/cancel',
    tag: 'dead letters',
    summary: 'Cancel a replay job after its current batch',
    params: jobParams,
    responses: { 202: { description: 'The job' }, 404: notFound('replay job') },
  },
  {
    method: 'post',
    path: '/api/dead-letters/delete',
    tag: 'dead letters',
    summary: 'Delete messages by ids, group, filter or all (restorable until purged)',
    description:
      'An empty filter is refused (400 naming `filter`): send `"all": true` to delete every message.',
    body: deleteBody,
    example: { ids: [12, 13] },
    responses: {
      200: {
        description: 'How many were deleted',
        schema: deadLetterDeleteResultSchema,
        example: { deleted: 2, auditId: 7 },
      },
      400: invalidRequest,
      404: notFound('archived message or group'),
    },
  },
  {
    method: 'post',
    path: '/api/dead-letters/restore',
    tag: 'dead letters',
    summary: 'Bring deleted messages back by ids, group, filter or all',
    description:
      'Restored messages are in the lists, counts, exports and replays again, and in their groups’ counts.',
    body: restoreBody,
    example: { filter: { type: 'custom' } },
    responses: {
      200: {
        description: 'How many were restored',
        schema: deadLetterRestoreResultSchema,
        example: { restored: 10, auditId: 8 },
      },
      400: invalidRequest,
      404: notFound('deleted message or group'),
    },
  },
  {
    method: 'get',
    path: '/api/dead-letters/:id',
    tag: 'dead letters',
    summary: 'One archived message in full',
    params: idParams,
    responses: {
      200: { description: 'The message' },
      400: invalidRequest,
      404: notFound('archived message'),
    },
  },
  {
    method: 'delete',
    path: '/api/dead-letters/:id',
    tag: 'dead letters',
    summary: 'Delete one archived message (restorable until purged)',
    params: idParams,
    responses: { 204: { description: 'Deleted' }, 404: notFound('archived message') },
  },
  {
    method: 'post',
    path: '/api/dead-letters/:id/edit-and-replay',
    tag: 'dead letters',
    summary: 'Replay a corrected copy under a new id',
    params: idParams,
    body: editBody,
    example: { body: '{"type": "custom", "message": "fixed"}' },
    responses: {
      201: { description: 'The copy’s id' },
      400: invalidRequest,
      404: notFound('archived message'),
      409: { description: 'Already replayed', schema: errorBodySchema },
    },
  },
];
