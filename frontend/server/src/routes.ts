/**
 * Which `/api` paths the public server may forward. The internal status-write endpoints exist only
 * for the consumer (which talks to the backend directly), so the public side refuses them.
 *
 * Express matches routes case-insensitively and tolerates a trailing slash, so the check runs on
 * a canonical form: percent-decoded, lower-cased, duplicate slashes and dot segments removed. A
 * path that cannot be decoded is refused too. Over-blocking an odd spelling is harmless; letting
 * one through is not.
 */
const INTERNAL = [/^\/api\/internal(\/|$)/, /^\/api\/games\/[^/]+\/process-complete$/];

export function canonicalPath(rawPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  const segments: string[] = [];
  for (const segment of decoded.toLowerCase().replace(/\\/g, '/').split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return `/${segments.join('/')}`;
}

/** True when `rawPath` (the path part of a request URL) must not reach the backend. */
export function isInternalApiPath(rawPath: string): boolean {
  const path = canonicalPath(rawPath);
  return path === undefined || INTERNAL.some((pattern) => pattern.test(path));
}
