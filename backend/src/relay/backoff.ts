/**
 * The relay's pause after its `failures`-th failed batch in a row: doubling from `baseMs` up to
 * `maxMs`, and only half of it fixed. The random half keeps several backends that lost the same
 * database at the same moment from coming back at the same moment too.
 */
export function relayBackoffMs(
  failures: number,
  { baseMs, maxMs }: { baseMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
