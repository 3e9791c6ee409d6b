import { passwordChangeBodySchema, sessionInfoSchema, signInBodySchema } from '../access-api.js';
import { errorBodySchema, invalidRequest, type OperationDoc } from '../openapi.js';

/**
 * `/api/session` (sessionRoutes) as every service that mounts it documents it: sign in, who am I,
 * sign out, change one's own password.
 */
export function sessionEndpointDocs(tag = 'session'): OperationDoc[] {
  const refused = {
    description: 'Not signed in, or a wrong name or password',
    schema: errorBodySchema,
  };
  return [
    {
      method: 'post',
      path: '/api/session',
      tag,
      summary: 'Sign in: sets the session cookie (retro_session, HttpOnly, SameSite=Lax)',
      body: signInBodySchema,
      example: { username: 'admin', password: 'correct horse battery' },
      responses: {
        200: { description: 'Signed in', schema: sessionInfoSchema },
        400: invalidRequest,
        401: refused,
        429: { description: 'Too many failed sign-ins (Retry-After)', schema: errorBodySchema },
      },
    },
    {
      method: 'get',
      path: '/api/session',
      tag,
      summary: 'Who is signed in (session cookie or token)',
      responses: { 200: { description: 'The account', schema: sessionInfoSchema }, 401: refused },
    },
    {
      method: 'delete',
      path: '/api/session',
      tag,
      summary: 'Sign out: ends the session and clears its cookie',
      responses: { 204: { description: 'Signed out' } },
    },
    {
      method: 'put',
      path: '/api/session/password',
      tag,
      summary: 'Change one’s own password (the current one proves it)',
      body: passwordChangeBodySchema,
      example: { currentPassword: 'correct horse battery', newPassword: 'a longer passphrase' },
      responses: { 204: { description: 'Changed' }, 400: invalidRequest, 401: refused },
    },
  ];
}
