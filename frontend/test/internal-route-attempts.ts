/**
 * Ways to reach /api/internal/... or /api/games/:id/process-complete through a proxy whose check
 * reads the path differently from the backend behind it: [what it tries, the request target].
 * Both proxies are tested against all of them (frontend/test/internal-routes.test.ts for the
 * local web server, tests/containers/nginx.test.ts for the container's nginx).
 */
export const ATTEMPTS: [string, string][] = [
  ['the plain internal path', '/api/internal/tasks/abc/status'],
  ['the batch write', '/api/internal/tasks/status'],
  ['the bare prefix', '/api/internal'],
  ['a trailing slash', '/api/internal/'],
  ['mixed case', '/API/Internal/tasks/abc/status'],
  ['doubled slashes', '//api//internal/tasks/abc/status'],
  ['a dot segment', '/api/./internal/tasks/abc/status'],
  ['a .. segment', '/api/games/../internal/tasks/x/status'],
  ['two .. segments', '/api/games/1/../../internal/tasks/abc/status'],
  ['an encoded .. segment', '/api/%2e%2e/api/internal/tasks/abc/status'],
  ['an encoded letter', '/api/%69nternal/tasks/abc/status'],
  ['an encoded letter in api', '/%61pi/internal/tasks/abc/status'],
  ['an encoded slash', '/api%2Finternal/tasks/abc/status'],
  ['lower-case encoded slashes', '/api/internal%2ftasks%2fabc%2fstatus'],
  ['an encoded slash before process-complete', '/api/games/1%2Fprocess-complete'],
  ['a backslash', '/api\\internal/tasks/abc/status'],
  ['an encoded backslash', '/api/%5Cinternal/tasks/abc/status'],
  ['a malformed escape', '/api/%E0%A4%A'],
  ['an encoded NUL', '/api/games/1/process-complete%00'],
  ['a trailing dot', '/api/internal./tasks/abc/status'],
  ['an absolute-form target', 'http://127.0.0.1/api/internal/tasks/abc/status'],
  ['the legacy status write', '/api/games/1/process-complete'],
  ['legacy, mixed case and trailing slash', '/api/games/1/Process-Complete/'],
  ['legacy, upper case', '/api/Games/1/PROCESS-COMPLETE'],
  ['legacy, a doubled slash', '/api/games/1//process-complete'],
  ['legacy, a doubled slash after api', '/api//games/1/process-complete'],
  ['legacy, a dot segment', '/api/games/1/./process-complete'],
  ['legacy, an encoded slash in the id', '/api/games/1%2F2/process-complete'],
  ['legacy, encoded hyphen', '/api/games/1/process%2Dcomplete'],
  ['legacy, a query', '/api/games/1/process-complete?x=1'],
  ['legacy, an empty query', '/api/games/1/process-complete?'],
  ['legacy, an empty fragment', '/api/games/1/process-complete#'],
  ['legacy, a fragment', '/api/games/1/process-complete#top'],
  ['legacy, a trailing dot', '/api/games/1/process-complete.'],
  ['legacy, a trailing dot segment', '/api/games/1/process-complete/./'],
  ['internal, an empty query', '/api/internal/tasks/abc/status?'],
];
