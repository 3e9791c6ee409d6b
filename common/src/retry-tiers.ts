/** Longest a message waits in a retry tier, unless the configured base delay is longer. */
export const MAX_RETRY_DELAY_MS = 60_000;

/** The ladder used below a base delay of 0 (retry at once), so deferrals still wait. */
const ZERO_BASE_LADDER_START_MS = 1000;

/** The retry cap for a base delay: MAX_RETRY_DELAY_MS, or the base itself when it is longer. */
export function retryCapMs(baseMs: number): number {
  return Math.max(MAX_RETRY_DELAY_MS, baseMs);
}

/**
 * The delay tiers for a base retry delay: base · 2^n up to the cap, and the cap (for base 1000:
 * 1 s, 2 s, 4 s … 32 s, 60 s). Each tier is a queue of its own whose queue TTL is the tier, so a
 * short retry never waits behind a longer one at the head of a shared queue. Every retry delay
 * the consumer computes (`base · 2^retryCount`, capped) is a tier exactly. A base of 0 (retry at
 * once) gets a 0 ms tier plus a ladder from 1 s, so deferred deliveries still wait.
 */
export function retryTiers(baseMs: number): number[] {
  const cap = retryCapMs(baseMs);
  const tiers = baseMs === 0 ? [0] : [];
  for (let delay = baseMs || ZERO_BASE_LADDER_START_MS; delay < cap; delay *= 2) tiers.push(delay);
  tiers.push(cap);
  return tiers;
}

/**
 * The tier a message that should wait `delayMs` goes to: the shortest tier at least that long,
 * so it never comes back early; past the last tier, the last.
 */
export function tierFor(delayMs: number, tiers: readonly number[]): number {
  if (tiers.length === 0) throw new Error('no retry tiers');
  return tiers.find((tier) => tier >= delayMs) ?? tiers[tiers.length - 1]!;
}

/** A tier's name part: whole seconds as `4s`, anything else in milliseconds (`250ms`). */
export function tierLabel(delayMs: number): string {
  return delayMs > 0 && delayMs % 1000 === 0 ? `${delayMs / 1000}s` : `${delayMs}ms`;
}

/** The queue of one tier: `game_events.retry.1s`, `game_events.retry.250ms`. */
export function retryTierQueue(main: string, delayMs: number): string {
  return `${main}.retry.${tierLabel(delayMs)}`;
}
