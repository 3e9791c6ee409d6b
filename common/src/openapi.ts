import { z } from 'zod';
import { SESSION_COOKIE } from './auth/access.js';

/** One documented response: its description, and the schema and example of its JSON body. */
export interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
  example?: unknown;
  /** A body that is not JSON (Prometheus text, NDJSON, Server-Sent Events). */
  contentType?: string;
  /** Response headers worth knowing (ETag, Location, Retry-After), by name: what each says. */
  headers?: Record<string, string>;
}

/** Who may call a route, as an OpenAPI security requirement list (schemes in `openApiDocument`). */
export type SecurityDoc = Record<string, string[]>[];

/**
 * One route of a service, documented from the zod schemas its handler validates with (the same
 * objects `parseInput`/`parseQuery` get), so the document cannot drift from what is enforced.
 */
export interface OperationDoc {
  method: 'get' | 'post' | 'put' | 'delete';
  /** The Express path, e.g. `/api/games/:id`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Request headers the route reads (If-Match), by their names; `.describe()` says what each does. */
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** A request body that passes `body` (checked by the tests). */
  example?: unknown;
  /** The route needs `Authorization: Bearer $INTERNAL_API_TOKEN`. */
  internal?: boolean;
  /** How a caller proves who it is (see `withAccess`); `internal` wins. */
  security?: SecurityDoc;
  responses: Record<number, ResponseDoc>;
}

/** The error shape every service answers with. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ field: z.string(), message: z.string() })),
  }),
});

/** The usual 400 of a route that validates its input. */
export const invalidRequest: ResponseDoc = {
  description: 'Invalid input: the details name each offending field or parameter',
  schema: errorBodySchema,
  example: {
    error: {
      code: 'VALIDATION_FAILED',
      message: 'Invalid query',
      details: [{ field: 'limt', message: 'is not a parameter of this endpoint' }],
    },
  },
};

export const notFound = (what: string): ResponseDoc => ({
  description: `No such ${what}`,
  schema: errorBodySchema,
});

/** `/health`, `/ready` and `/metrics`, the same on every service. */
export function serviceEndpointDocs(tag = 'service'): OperationDoc[] {
  const state = z.record(z.string(), z.unknown());
  return [
    {
      method: 'get',
      path: '/health',
      tag,
      summary: 'Liveness: 200 while the process works (or can get back to work by itself)',
      responses: { 200: { description: 'Alive', schema: state }, 503: { description: 'Not' } },
    },
    {
      method: 'get',
      path: '/ready',
      tag,
      summary: 'Readiness: 200 when its dependencies are usable, else 503 naming the one down',
      responses: {
        200: { description: 'Ready', schema: state },
        503: { description: 'A dependency is down', schema: state },
      },
    },
    {
      method: 'get',
      path: '/metrics',
      tag,
      summary: 'Prometheus metrics',
      responses: { 200: { description: 'Prometheus text format', contentType: 'text/plain' } },
    },
    {
      method: 'get',
      path: '/api/openapi.json',
      tag,
      summary: 'This document',
      responses: { 200: { description: 'OpenAPI 3.1' } },
    },
    {
      method: 'get',
      path: '/api/docs',
      tag,
      summary: 'The interactive reference page over this document',
      responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
    },
    {
      method: 'get',
      path: '/api/docs/init.js',
      tag,
      summary: 'The reference page’s start-up script (its other assets: /api/docs/assets/…)',
      responses: { 200: { description: 'JavaScript', contentType: 'text/javascript' } },
    },
  ];
}

const jsonSchema = (schema: z.ZodType) => {
  const generated = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  // the document says which JSON Schema dialect it uses (OpenAPI 3.1: 2020-12) once, not per schema
  delete generated.$schema;
  return generated as Record<string, unknown>;
};

/** `/api/games/:id` → `/api/games/{id}`. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function parameters(operation: OperationDoc) {
  const list: Record<string, unknown>[] = [];
  for (const [where, schema] of [
    ['path', operation.params],
    ['query', operation.query],
    ['header', operation.headers],
  ] as const) {
    if (!schema) continue;
    const object = jsonSchema(schema) as {
      properties?: Record<string, Record<string, unknown>>;
      required?: string[];
    };
    for (const [name, { description, ...property }] of Object.entries(object.properties ?? {})) {
      list.push({
        name,
        in: where,
        ...(typeof description === 'string' && { description }),
        required: where === 'path' || (object.required ?? []).includes(name),
        schema: property,
      });
    }
  }
  return list;
}

function operationObject(operation: OperationDoc) {
  const responses = Object.fromEntries(
    Object.entries(operation.responses).map(([status, response]) => {
      const media = response.contentType ?? 'application/json';
      const content =
        response.schema || response.example !== undefined || response.contentType
          ? {
              [media]: {
                ...(response.schema && { schema: jsonSchema(response.schema) }),
                ...(response.example !== undefined && { example: response.example }),
              },
            }
          : undefined;
      const headers =
        response.headers &&
        Object.fromEntries(
          Object.entries(response.headers).map(([name, description]) => [
            name,
            { description, schema: { type: 'string' } },
          ]),
        );
      return [
        status,
        {
          description: response.description,
          ...(headers && { headers }),
          ...(content && { content }),
        },
      ];
    }),
  );
  return {
    summary: operation.summary,
    ...(operation.description && { description: operation.description }),
    tags: [operation.tag],
    operationId: `${operation.method}${openApiPath(operation.path).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    parameters: parameters(operation),
    ...(operation.body && {
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: jsonSchema(operation.body),
            ...(operation.example !== undefined && { example: operation.example }),
          },
        },
      },
    }),
    ...(operation.internal
      ? { security: [{ internalToken: [] }] }
      : operation.security && { security: operation.security }),
    responses,
  };
}

/** An OpenAPI 3.1 document of `operations`, their schemas generated from zod. */
export function openApiDocument(
  info: { title: string; version: string; description: string },
  operations: OperationDoc[],
) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations) {
    const path = (paths[openApiPath(operation.path)] ??= {});
    path[operation.method] = operationObject(operation);
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      securitySchemes: {
        internalToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'INTERNAL_API_TOKEN: status writes from the consumer only',
        },
        personalToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'A personal API token (`rgc_…`, `npm run users -- token NAME`): its account',
        },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description:
            'The session `POST /api/session` sets (HttpOnly, SameSite=Lax); changes sent with it from another origin are refused (403)',
        },
        metricsToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'METRICS_TOKEN: /metrics only, for a Prometheus scraper',
        },
      },
    },
  };
}
