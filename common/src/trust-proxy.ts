import { isIP } from 'node:net';

/**
 * Which peers may tell a service the client's address (Express's `trust proxy`): nobody, the
 * nearest `n` hops, or the proxies at these addresses. Rate limits and logs key on that address,
 * so trusting too much lets any client pick a fresh one for every request.
 */
export type TrustProxy = false | number | string[];

/** Names proxy-addr knows; only loopback is accepted (private ranges are anyone's network). */
const NAMES = new Set(['loopback']);
const MAX_HOPS = 10;

/**
 * Parses `TRUST_PROXY`: empty or `false` trusts nobody; a hop count such as `1`; or a
 * comma-separated list of addresses, CIDR ranges and `loopback`. Anything else is refused with a
 * reason (`true` in particular: it trusts whatever `X-Forwarded-For` says).
 */
export function parseTrustProxy(text: string): TrustProxy | { error: string } {
  const value = text.trim();
  if (value === '' || value === 'false' || value === '0') return false;
  if (value === 'true') {
    return {
      error: '"true" would let every client name its own address; give a hop count or addresses',
    };
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > MAX_HOPS) return { error: `at most ${MAX_HOPS} hops` };
    return hops;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !NAMES.has(entry) && !isAddressOrRange(entry));
  if (bad.length) {
    return {
      error: `${bad.map((b) => `"${b}"`).join(', ')} is not an address, CIDR range or loopback`,
    };
  }
  return entries;
}

function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
