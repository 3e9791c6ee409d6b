import {
  invalidRequest,
  noQuery,
  notFound,
  openApiDocument,
  preconditionFailedDoc,
  serviceEndpointDocs,
  sessionOperationDocs,
  withAccess,
  type OperationDoc,
} from '@retro/common';
import { z } from 'zod';
import { backendAccess } from './access-table.js';
import { alertOperations } from './openapi-alerts.js';
import { auditOperations } from './openapi-audit.js';
import { taskOperations } from './openapi-tasks.js';
import { exampleGame, gameSchema, namedSchema } from './api-shapes.js';
import { gameBody, gameQuery, idParams } from './schemas.js';

const total = 'Total in the X-Total-Count header';

const etag = {
  ETag: 'The version of the game\'s editable fields, `"<id>.<version>"`: send it back in If-Match',
};

/** `If-Match` on a game write: the write happens only while the game is at that version. */
const ifMatch = z.object({
  'If-Match': z
    .string()
    .optional()
    .describe(
      'The ETag the game was read with: the write is refused with 412 if the game changed since. `*` or no header: whatever its version. Not a list of entity tags: 400',
    ),
});

const badInputOrIfMatch = {
  ...invalidRequest,
  description: `${invalidRequest.description}; or an If-Match that is not a list of entity tags`,
};

const gameExample = {
  title: 'Mega Man 2',
  platformId: 1,
  genreId: 1,
  developer: 'Capcom',
  releaseYear: 1988,
  description: 'Eight robot masters, one blue bomber.',
  imageUrl: null,
};

/** Every route of the backend, documented from the schemas its handlers validate with. */
export const backendOperations: OperationDoc[] = withAccess(
  [
    ...serviceEndpointDocs(),
    ...sessionOperationDocs(),
    {
      method: 'get',
      path: '/api/platforms',
      tag: 'catalog',
      summary: 'Every platform',
      query: noQuery,
      responses: {
        200: {
          description: 'Platforms',
          schema: z.array(namedSchema),
          example: [{ id: 1, name: 'NES', manufacturer: 'Nintendo', releaseYear: 1983 }],
        },
        400: invalidRequest,
      },
    },
    {
      method: 'get',
      path: '/api/genres',
      tag: 'catalog',
      summary: 'Every genre',
      query: noQuery,
      responses: {
        200: { description: 'Genres', schema: z.array(namedSchema) },
        400: invalidRequest,
      },
    },
    {
      method: 'get',
      path: '/api/games',
      tag: 'catalog',
      summary: 'Games, filtered, sorted and paged',
      description: `${total}. Unknown or repeated parameters are refused with 400.`,
      query: gameQuery,
      responses: {
        200: {
          description: 'A page of games',
          schema: z.array(gameSchema),
          example: [exampleGame],
        },
        400: invalidRequest,
      },
    },
    {
      method: 'get',
      path: '/api/games/:id',
      tag: 'catalog',
      summary: 'One game, with its version as a strong ETag',
      params: idParams,
      headers: z.object({
        'If-None-Match': z
          .string()
          .optional()
          .describe('An ETag read before: 304 while the game is still at that version'),
      }),
      responses: {
        200: { description: 'The game', schema: gameSchema, example: exampleGame, headers: etag },
        304: { description: 'Not modified: If-None-Match names its current ETag', headers: etag },
        400: invalidRequest,
        404: notFound('game'),
      },
    },
    {
      method: 'post',
      path: '/api/games',
      tag: 'catalog',
      summary: 'Create a game (its event is published through the outbox)',
      body: gameBody,
      example: gameExample,
      responses: {
        201: {
          description: 'Created, processing pending',
          schema: gameSchema,
          headers: { ...etag, Location: 'The new game, `/api/games/<id>`' },
        },
        400: invalidRequest,
      },
    },
    {
      method: 'put',
      path: '/api/games/:id',
      tag: 'catalog',
      summary: 'Replace a game; processing is pending again',
      description:
        'The version (ETag) moves on when an editable field changes; an update that changes nothing keeps it. Audited as game.update with the changed fields before and after.',
      params: idParams,
      headers: ifMatch,
      body: gameBody,
      example: { ...gameExample, title: 'Mega Man 2 (Rockman 2)' },
      responses: {
        200: { description: 'Updated', schema: gameSchema, headers: etag },
        400: badInputOrIfMatch,
        404: notFound('game'),
        412: preconditionFailedDoc('game'),
      },
    },
    {
      method: 'delete',
      path: '/api/games/:id',
      tag: 'catalog',
      summary: 'Delete a game',
      params: idParams,
      headers: ifMatch,
      responses: {
        204: { description: 'Deleted' },
        400: badInputOrIfMatch,
        404: notFound('game'),
        412: preconditionFailedDoc('game'),
      },
    },
    {
      method: 'get',
      path: '/api/processing',
      tag: 'catalog',
      summary: 'Games whose processing is not finished (the original page’s feed)',
      query: noQuery,
      responses: { 200: { description: 'Games', schema: z.array(gameSchema) } },
    },
    ...auditOperations,
    ...taskOperations,
    ...alertOperations,
  ],
  backendAccess,
);

export const backendApiDocument = () =>
  openApiDocument(
    {
      title: 'Retro Games Catalog — backend',
      version: '1.0.0',
      description:
        'The catalog REST API, its processing tasks and the consumer’s status writes. Errors: `{error: {code, message, details}}`; every response carries X-Request-Id. Sign in with `POST /api/session` (a cookie) or a personal token (`Authorization: Bearer rgc_…`); each operation says the role it needs (viewer ⊂ editor ⊂ tester ⊂ operator). A Host this service does not answer for gets 421.',
    },
    backendOperations,
  );
