import {
  errorBodySchema,
  invalidRequest,
  noQuery,
  notFound,
  openApiDocument,
  serviceEndpointDocs,
  sessionEndpointDocs,
  type OperationDoc,
} from '@retro/common';
import { z } from 'zod';
import {
  customRequestSchema,
  gameEventRequestSchema,
  rawRequestSchema,
} from '../domain/messages.js';
import { producerAccess } from './access-table.js';
import { listQuerySchema, replaySchema } from './broker-routes.js';
import { consoleOperations } from './openapi-console.js';
import { bulkRequestSchema } from './publish-routes.js';

const published = {
  description: 'Confirmed by the broker: `{messageId, eventId?, queue}`',
  schema: z.object({ messageId: z.string(), eventId: z.string().optional(), queue: z.string() }),
  example: { messageId: 'a1b2c3d4-0000-4000-8000-000000000001', queue: 'game_events' },
};
const brokerDown = {
  description: 'The broker did not confirm (down or refused)',
  schema: errorBodySchema,
};
const jobParams = z.object({ jobId: z.string() });

const publishOne = (
  kind: string,
  body: z.ZodType,
  example: unknown,
  summary: string,
): OperationDoc => ({
  method: 'post',
  path: `/api/messages/${kind}`,
  tag: 'publish',
  summary,
  body,
  example,
  responses: {
    201: published,
    400: invalidRequest,
    409: { description: 'MESSAGE_ID_IN_USE: a task already has that id', schema: errorBodySchema },
    503: brokerDown,
  },
});

/** Every route of the producer, documented from the schemas its handlers validate with. */
export const producerOperations: OperationDoc[] = [
  ...serviceEndpointDocs(),
  ...sessionEndpointDocs(),
  ...['/', '/index.html'].map((path): OperationDoc => ({
    method: 'get',
    path,
    tag: 'page',
    summary: 'The testers’ page (its scripts under /assets, cached for good)',
    responses: { 200: { description: 'The page', contentType: 'text/html' } },
  })),
  {
    method: 'get',
    path: '/api/info',
    tag: 'publish',
    summary: 'Queue names, MAX_RETRIES and the catalog’s port',
    responses: { 200: { description: 'Service facts' } },
  },
  {
    method: 'get',
    path: '/api/templates',
    tag: 'publish',
    summary: 'Ready-made test messages',
    query: noQuery,
    responses: { 200: { description: '`{templates: [...]}`' }, 400: invalidRequest },
  },
  publishOne(
    'game-event',
    gameEventRequestSchema,
    { gameId: 1, action: 'update', gameData: { title: 'Contra' } },
    'Publish a game event (the original producer’s request)',
  ),
  publishOne(
    'custom',
    customRequestSchema,
    { message: 'hello', simulate: 'transient', failAttempts: 2 },
    'Publish a custom message; `simulate` picks what the consumer does',
  ),
  publishOne(
    'raw',
    rawRequestSchema,
    { body: '{"not": "valid', headers: { 'x-retry-count': 3 } },
    'Publish any body as it is (poison messages, retried headers)',
  ),
  {
    method: 'post',
    path: '/api/messages/bulk',
    tag: 'publish',
    summary: 'Publish many copies of one request in a background job',
    body: bulkRequestSchema,
    example: { kind: 'custom', count: 100, payload: { message: 'load' } },
    responses: { 202: { description: 'The job, to poll' }, 400: invalidRequest },
  },
  {
    method: 'get',
    path: '/api/messages/bulk/:jobId',
    tag: 'publish',
    summary: 'A bulk job’s progress',
    params: jobParams,
    responses: { 200: { description: 'The job' }, 404: notFound('bulk job') },
  },
  {
    method: 'get',
    path: '/api/queues',
    tag: 'queues',
    summary: 'Depth and consumers of the main, retry and dead-letter queues',
    query: noQuery,
    responses: { 200: { description: '`{queues, checkedAt}`' }, 503: brokerDown },
  },
  {
    method: 'get',
    path: '/api/dlq',
    tag: 'queues',
    summary: 'Parked messages (from the archive)',
    query: listQuerySchema,
    responses: { 200: { description: 'Parked messages' }, 400: invalidRequest },
  },
  {
    method: 'post',
    path: '/api/dlq/replay',
    tag: 'queues',
    summary: 'Replay one parked message or all of them',
    body: replaySchema,
    example: { all: true },
    responses: { 200: { description: 'What was replayed' }, 400: invalidRequest },
  },
  ...consoleOperations,
];

/** Who may call a route, as the route table says, in words for the document. */
function accessNote(operation: OperationDoc): string {
  const path = operation.path.replace(/:[A-Za-z]+/g, '1');
  const access = producerAccess.match(operation.method.toUpperCase(), path)?.access;
  switch (access) {
    case 'open':
      return 'Open: no sign-in, no check.';
    case 'public':
      return 'Anyone, signed in or not.';
    case 'metrics':
      return 'METRICS_TOKEN or the operator role.';
    case undefined:
    case 'internal':
      return 'Not served to callers.';
    default:
      return `Role: ${access} or above.`;
  }
}

export const producerApiDocument = () =>
  openApiDocument(
    {
      title: 'Retro Games Catalog — message producer',
      version: '1.0.0',
      description:
        'Testers’ API: publish game events, custom and raw messages, watch the queues, and work on the dead-letter archive. Sign in (`POST /api/session`, the cookie) or send `Authorization: Bearer <personal token>`; each operation names the role it needs (viewer ⊂ editor ⊂ tester ⊂ operator). Anonymous callers: 401; a role too low: 403. Errors: `{error: {code, message, details}}`.',
    },
    producerOperations.map((operation) => ({
      ...operation,
      description: [operation.description, accessNote(operation)].filter(Boolean).join(' '),
    })),
  );
