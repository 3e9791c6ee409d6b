/**
 * What the public server does with a request target. The internal status-write endpoints exist
 * only for the consumer (which talks to the backend directly), so the public side refuses them
 * however the path is written.
 *
 * A check on the raw path and a backend that reads the path differently is how such blocks are
 * bypassed (`%69nternal`, `/games/../internal`, `/API/Internal`, `process-complete#`). So the path
 * is normalised once, the decision is made on that form, and the backend is sent exactly that
 * form: what it routes is what was checked.
 */
export type Route =
  /** Forward to the backend: the normalised path with the query as sent. */
  | { kind: 'api'; url: string }
  /** An internal route, or a path that cannot be read one way only. */
  | { kind: 'refused' }
  /** Not an API path: pages and static files. */
  | { kind: 'page' };

/**
 * Matched against the lower-cased key, as Express matches routes case-insensitively;
 * process-complete anywhere under /api, like nginx (where `/api/games/../process-complete` is
 * /api/process-complete, which Express would route to the status write with the id "..").
 */
const INTERNAL = [/^\/api\/internal(\/|$)/, /^\/api\/(.*\/)?process-complete$/];

/**
 * The path's segments, percent-decoded once, with empty and `.` segments dropped and `..`
 * resolved; undefined when the path cannot be read one way only: not starting with `/`, an
 * encoded slash or a backslash (one segment to one reader, two to another), a malformed escape,
 * or a control character.
 */
export function normalisePath(rawPath: string): string[] | undefined {
  if (!rawPath.startsWith('/') || /%2f|%5c|\\/i.test(rawPath)) return undefined;
  const segments: string[] = [];
  for (const raw of rawPath.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (/[\x00-\x1f\x7f]/.test(segment)) return undefined; // eslint-disable-line no-control-regex
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return segments;
}

/**
 * Decides what to do with a request target (`req.url`). A fragment never belongs in a request
 * but Node passes one through, and Express would drop it before routing, so it is dropped here.
 */
export function routeRequest(target: string): Route {
  const end = target.search(/[?#]/);
  const rawPath = end === -1 ? target : target.slice(0, end);
  const query = target[end] === '?' ? target.slice(end + 1).split('#')[0]! : '';
  const segments = normalisePath(rawPath);
  if (!segments) return { kind: 'refused' };
  // Matching also ignores trailing dots (`process-complete.`): refusing an odd spelling costs
  // nothing, letting one through could.
  const key = `/${segments.map((s) => s.toLowerCase().replace(/\.+$/, '')).join('/')}`;
  if (key !== '/api' && !key.startsWith('/api/')) return { kind: 'page' };
  if (INTERNAL.some((pattern) => pattern.test(key))) return { kind: 'refused' };
  const path = `/${segments.map(encodeURIComponent).join('/')}`;
  return { kind: 'api', url: query ? `${path}?${query}` : path };
}
