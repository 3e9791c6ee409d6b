import { AccessTable, serviceRouteRules, type RouteRule } from '@retro/common';

/**
 * Every route of the backend and who may call it: read by the one access check (app.ts), and by
 * the generator of docs/security.md. A route missing here fails the route-table test.
 */
export const BACKEND_ROUTES: readonly RouteRule[] = [
  ...serviceRouteRules('MySQL, RabbitMQ'),
  { method: 'GET', path: '/api/platforms', access: 'viewer', summary: 'list platforms' },
  { method: 'GET', path: '/api/genres', access: 'viewer', summary: 'list genres' },
  { method: 'GET', path: '/api/games', access: 'viewer', summary: 'list games' },
  { method: 'GET', path: '/api/games/:id', access: 'viewer', summary: 'one game (ETag)' },
  { method: 'GET', path: '/api/games/:id/history', access: 'viewer', summary: "a game's changes" },
  { method: 'POST', path: '/api/games', access: 'editor', summary: 'create a game' },
  { method: 'PUT', path: '/api/games/:id', access: 'editor', summary: 'update a game (If-Match)' },
  {
    method: 'DELETE',
    path: '/api/games/:id',
    access: 'editor',
    summary: 'delete a game (If-Match)',
  },
  { method: 'GET', path: '/api/processing', access: 'viewer', summary: 'unfinished games' },
  { method: 'GET', path: '/api/tasks', access: 'viewer', summary: 'list tasks' },
  { method: 'GET', path: '/api/tasks/counts', access: 'viewer', summary: 'task counts' },
  { method: 'GET', path: '/api/tasks/stream', access: 'viewer', summary: 'live task stream' },
  { method: 'GET', path: '/api/tasks/flow', access: 'viewer', summary: 'flow samples (charts)' },
  {
    method: 'GET',
    path: '/api/tasks/latency',
    access: 'viewer',
    summary: 'end-to-end time percentiles',
  },
  { method: 'GET', path: '/api/tasks/:messageId', access: 'viewer', summary: 'one task' },
  {
    method: 'GET',
    path: '/api/tasks/:messageId/journey',
    access: 'viewer',
    summary: "a message's journey",
  },
  {
    method: 'POST',
    path: '/api/tasks/:messageId/retry',
    access: 'editor',
    summary: 'retry a task',
  },
  { method: 'GET', path: '/api/audit', access: 'operator', summary: 'audit trail' },
  { method: 'GET', path: '/api/alerts', access: 'viewer', summary: 'current and recent alerts' },
  {
    method: 'POST',
    path: '/api/alerts/:id/ack',
    access: 'operator',
    summary: 'acknowledge an alert',
  },
  {
    method: 'POST',
    path: '/api/alerts/:id/snooze',
    access: 'operator',
    summary: 'snooze an alert',
  },
  {
    method: 'PUT',
    path: '/api/internal/tasks/:messageId/status',
    access: 'internal',
    summary: "consumer's status write",
  },
  {
    method: 'PUT',
    path: '/api/internal/tasks/status',
    access: 'internal',
    summary: "consumer's batch status write",
  },
  {
    method: 'PUT',
    path: '/api/games/:id/process-complete',
    access: 'internal',
    summary: "the original consumer's status write",
  },
];

export const backendAccess = new AccessTable(BACKEND_ROUTES);
