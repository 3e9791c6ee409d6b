import { passwordChangeBodySchema, sessionInfoSchema, signInBodySchema } from './access-api.js';
import type { AccessTable, RouteRule } from './auth/access.js';
import {
  errorBodySchema,
  invalidRequest,
  type OperationDoc,
  type ResponseDoc,
  type SecurityDoc,
} from './openapi.js';

// The access side of a service's OpenAPI document: who may call each route (from the service's
// route table, so the document cannot say otherwise than the check does), and /api/session.

const errorExample = (code: string, message: string) => ({
  error: { code, message, details: [] },
});

export const unauthorizedDoc: ResponseDoc = {
  description: 'Not signed in (no session, or anonymous callers may not do this), or a bad token',
  schema: errorBodySchema,
  example: errorExample('UNAUTHORIZED', 'Sign in to do this'),
};

const fromElsewhere = 'a change sent with the session cookie from another origin';

const forbiddenDoc = (role: string | null, write: boolean): ResponseDoc => ({
  description: role
    ? `Signed in, but below the ${role} role${write ? `; or ${fromElsewhere}` : ''}`
    : `Refused: ${fromElsewhere}`,
  schema: errorBodySchema,
  example: errorExample('FORBIDDEN', `This needs the ${role ?? 'editor'} role or above`),
});

/** `If-Match` names a version the resource has moved on from. */
export const preconditionFailedDoc = (what: string): ResponseDoc => ({
  description: `If-Match names a version the ${what} has moved on from: read it again (new ETag) and reapply the change. Nothing was changed`,
  schema: errorBodySchema,
  example: errorExample(
    'PRECONDITION_FAILED',
    `Game 12 changed since it was read (it is at version 4 now); read it again and reapply the change`,
  ),
});

const signedIn: SecurityDoc = [{ sessionCookie: [] }, { personalToken: [] }];
/** `{}`: anonymous callers too (while AUTH_ANONYMOUS_ROLE is viewer). */
const anyone: SecurityDoc = [{}, ...signedIn];

const WRITES = new Set(['post', 'put', 'delete']);

/**
 * What each operation's rule in `table` means, added to it: who may call it (a line in its
 * description), how a caller signs in (security) and the 401/403 answers. An operation the
 * table does not list is left as it is.
 */
export function withAccess(operations: OperationDoc[], table: AccessTable): OperationDoc[] {
  return operations.map((operation) => {
    const rule = table.match(operation.method.toUpperCase(), operation.path);
    return rule ? documented(operation, rule) : operation;
  });
}

function documented(operation: OperationDoc, rule: RouteRule): OperationDoc {
  const write = WRITES.has(operation.method);
  let who: string;
  let security: SecurityDoc | undefined;
  const responses: Record<number, ResponseDoc> = {};
  switch (rule.access) {
    case 'open':
      return operation;
    case 'public':
      who = 'Anyone, signed in or not.';
      security = anyone;
      if (write) responses[403] = forbiddenDoc(null, true);
      break;
    case 'internal':
      who = 'The consumer only (INTERNAL_API_TOKEN).';
      responses[401] = {
        ...unauthorizedDoc,
        example: errorExample('UNAUTHORIZED', 'A valid internal API token is required'),
      };
      responses[429] = {
        description:
          'Too many wrong tokens from this address (AUTH_FAILURE_LIMIT); a right one still passes',
        schema: errorBodySchema,
        headers: { 'Retry-After': 'Seconds until the window of wrong tokens ends' },
      };
      break;
    case 'metrics':
      who = 'A scraper with METRICS_TOKEN, or an operator.';
      security = [{ metricsToken: [] }, ...signedIn];
      responses[401] = unauthorizedDoc;
      responses[403] = forbiddenDoc('operator', write);
      break;
    case 'viewer':
      who =
        'Anyone while AUTH_ANONYMOUS_ROLE is viewer (the default); with `none`, a viewer or above.';
      security = anyone;
      responses[401] = unauthorizedDoc;
      if (write) responses[403] = forbiddenDoc(null, true);
      break;
    default:
      who = `Needs the ${rule.access} role or above (viewer ⊂ editor ⊂ tester ⊂ operator).`;
      security = signedIn;
      responses[401] = unauthorizedDoc;
      responses[403] = forbiddenDoc(rule.access, write);
  }
  return {
    ...operation,
    description: operation.description ? `${who} ${operation.description}` : who,
    ...(security && { security }),
    responses: { ...responses, ...operation.responses },
  };
}

/** `/api/session`, the same on every service that signs people in. */
export function sessionOperationDocs(tag = 'session'): OperationDoc[] {
  const info = { username: 'ada', role: 'editor' };
  return [
    {
      method: 'post',
      path: '/api/session',
      tag,
      summary: 'Sign in: a new session cookie, whatever the request carried',
      body: signInBodySchema,
      example: { username: 'ada', password: 'correct horse battery' },
      responses: {
        200: {
          description: 'Signed in',
          schema: sessionInfoSchema,
          example: info,
          headers: { 'Set-Cookie': 'retro_session=…; HttpOnly; SameSite=Lax; Path=/' },
        },
        400: invalidRequest,
        401: {
          description: 'Wrong user name or password (the same answer for both)',
          schema: errorBodySchema,
          example: errorExample('UNAUTHORIZED', 'Wrong user name or password'),
        },
        429: {
          description: 'Too many failed sign-ins from this address or for this account',
          schema: errorBodySchema,
          headers: { 'Retry-After': 'Seconds until the next attempt is accepted' },
        },
      },
    },
    {
      method: 'get',
      path: '/api/session',
      tag,
      summary: 'Who is signed in (by session or token)',
      responses: {
        200: { description: 'The account', schema: sessionInfoSchema, example: info },
        401: unauthorizedDoc,
      },
    },
    {
      method: 'delete',
      path: '/api/session',
      tag,
      summary: 'Sign out: the session ends on every service',
      responses: { 204: { description: 'Signed out (also when no one was signed in)' } },
    },
    {
      method: 'put',
      path: '/api/session/password',
      tag,
      summary: "Change one's own password; the account's other sessions end",
      body: passwordChangeBodySchema,
      example: { currentPassword: 'correct horse battery', newPassword: 'staple battery horse' },
      responses: {
        204: { description: 'Changed' },
        400: invalidRequest,
        401: unauthorizedDoc,
      },
    },
  ];
}

/** `X-Total-Count` on a list's answer. */
export const totalCountHeader = { 'X-Total-Count': 'How many entries match, over all pages' };
