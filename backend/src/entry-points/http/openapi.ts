import {
  invalidRequest,
  noQuery,
  notFound,
  openApiDocument,
  serviceEndpointDocs,
  type OperationDoc,
} from '@retro/common';
import { z } from 'zod';
import { taskOperations } from './openapi-tasks.js';
import { exampleGame, gameSchema, namedSchema } from './api-shapes.js';
import { gameBody, gameQuery, idParams } from './schemas.js';

const total = 'Total in the X-Total-Count header';

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
export const backendOperations: OperationDoc[] = [
  ...serviceEndpointDocs(),
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
      200: { description: 'A page of games', schema: z.array(gameSchema), example: [exampleGame] },
      400: invalidRequest,
    },
  },
  {
    method: 'get',
    path: '/api/games/:id',
    tag: 'catalog',
    summary: 'One game',
    params: idParams,
    responses: {
      200: { description: 'The game', schema: gameSchema, example: exampleGame },
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
      201: { description: 'Created, processing pending', schema: gameSchema },
      400: invalidRequest,
    },
  },
  {
    method: 'put',
    path: '/api/games/:id',
    tag: 'catalog',
    summary: 'Replace a game; processing is pending again',
    params: idParams,
    body: gameBody,
    example: { ...gameExample, title: 'Mega Man 2 (Rockman 2)' },
    responses: {
      200: { description: 'Updated', schema: gameSchema },
      400: invalidRequest,
      404: notFound('game'),
    },
  },
  {
    method: 'delete',
    path: '/api/games/:id',
    tag: 'catalog',
    summary: 'Delete a game',
    params: idParams,
    responses: { 204: { description: 'Deleted' }, 400: invalidRequest, 404: notFound('game') },
  },
  {
    method: 'get',
    path: '/api/processing',
    tag: 'catalog',
    summary: 'Games whose processing is not finished (the original page’s feed)',
    query: noQuery,
    responses: { 200: { description: 'Games', schema: z.array(gameSchema) } },
  },
  ...taskOperations,
];

export const backendApiDocument = () =>
  openApiDocument(
    {
      title: 'Retro Games Catalog — backend',
      version: '1.0.0',
      description:
        'The catalog REST API, its processing tasks and the consumer’s status writes. Errors: `{error: {code, message, details}}`; every response carries X-Request-Id.',
    },
    backendOperations,
  );
