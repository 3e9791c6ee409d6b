import { AccessTable, serviceRouteRules, type RouteRule } from '@retro/common';

/**
 * Every route of the producer and who may call it: read by the one access check (app.ts). The
 * route-table test fails for a registered route missing here. Order matters where paths overlap:
 * the first rule that matches a request decides (`/api/dead-letters/deleted` before `/:id`).
 */
export const PRODUCER_ROUTES: readonly RouteRule[] = [
  ...serviceRouteRules('RabbitMQ, MySQL'),
  // the page and its scripts load for anyone: its sign-in form is on it
  { method: 'GET', path: '/', access: 'public', summary: 'the testers’ page' },
  { method: 'GET', path: '/index.html', access: 'public', summary: 'the testers’ page' },
  { method: 'GET', path: '/assets/*', access: 'public', summary: 'the page’s scripts and styles' },
  { method: 'GET', path: '/api/info', access: 'viewer', summary: 'queue names and links' },
  { method: 'GET', path: '/api/templates', access: 'viewer', summary: 'ready-made messages' },
  {
    method: 'POST',
    path: '/api/messages/game-event',
    access: 'tester',
    summary: 'publish a game event',
  },
  {
    method: 'POST',
    path: '/api/messages/custom',
    access: 'tester',
    summary: 'publish a custom message',
  },
  { method: 'POST', path: '/api/messages/raw', access: 'tester', summary: 'publish any body' },
  { method: 'POST', path: '/api/messages/bulk', access: 'tester', summary: 'start a bulk publish' },
  {
    method: 'GET',
    path: '/api/messages/bulk/:jobId',
    access: 'tester',
    summary: 'a bulk publish’s progress',
  },
  { method: 'GET', path: '/api/queues', access: 'tester', summary: 'queue depths' },
  { method: 'GET', path: '/api/dlq', access: 'tester', summary: 'parked messages' },
  { method: 'POST', path: '/api/dlq/replay', access: 'operator', summary: 'replay parked ones' },
  { method: 'GET', path: '/api/dead-letters', access: 'tester', summary: 'archived messages' },
  {
    method: 'GET',
    path: '/api/dead-letters/deleted',
    access: 'operator',
    summary: 'deleted messages, restorable',
  },
  { method: 'GET', path: '/api/dead-letters/groups', access: 'tester', summary: 'failure groups' },
  { method: 'GET', path: '/api/dead-letters/export', access: 'tester', summary: 'NDJSON export' },
  { method: 'GET', path: '/api/dead-letters/audit', access: 'tester', summary: 'console audit' },
  {
    method: 'GET',
    path: '/api/dead-letters/quarantine',
    access: 'tester',
    summary: 'records the archive refused',
  },
  { method: 'GET', path: '/api/dead-letters/replays', access: 'tester', summary: 'replay jobs' },
  {
    method: 'GET',
    path: '/api/dead-letters/replays/:jobId',
    access: 'tester',
    summary: 'a replay job’s progress',
  },
  { method: 'GET', path: '/api/dead-letters/:id', access: 'tester', summary: 'one message' },
  {
    method: 'POST',
    path: '/api/dead-letters/replays',
    access: 'operator',
    summary: 'start a replay',
  },
  {
    method: 'POST',
    path: '/api/dead-letters/replays/:jobId/cancel',
    access: 'operator',
    summary: 'cancel a replay',
  },
  {
    method: 'POST',
    path: '/api/dead-letters/delete',
    access: 'operator',
    summary: 'delete messages (restorable)',
  },
  {
    method: 'POST',
    path: '/api/dead-letters/restore',
    access: 'operator',
    summary: 'restore deleted messages',
  },
  {
    method: 'DELETE',
    path: '/api/dead-letters/:id',
    access: 'operator',
    summary: 'delete one message (restorable)',
  },
  {
    method: 'POST',
    path: '/api/dead-letters/:id/edit-and-replay',
    access: 'operator',
    summary: 'replay a corrected copy',
  },
];

export const producerAccess = new AccessTable(PRODUCER_ROUTES);
