import { createHash } from 'node:crypto';

/** The longest fingerprint kept; reasons are cut at 1,000 characters by the consumer anyway. */
export const FINGERPRINT_MAX = 500;

/** What a message parked without an `x-error` header is grouped under. */
export const NO_REASON = '(no reason given)';

/**
 * The parts of a reason that differ between alike failures, in the order they are masked: quoted
 * values first (they may hold anything, numbers included), then timestamps, UUIDs and hex before
 * plain numbers, which would otherwise cut them into pieces.
 */
const MASKS: [RegExp, string][] = [
  [/"(?:[^"\\]|\\.)*"/g, '"*"'],
  [/'(?:[^'\\]|\\.)*'/g, "'*'"],
  [/`[^`]*`/g, '`*`'],
  [/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g, '#'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '#'],
  [/\b0x[0-9a-f]+\b/gi, '#'],
  // hex runs (hashes, object ids) need a digit, so that words such as "deadbeef" stay words
  [/\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, '#'],
  [/\d+(?:\.\d+)?/g, '#'],
];

/**
 * The reason with everything that names one message masked, so alike failures read the same:
 * `task 123 of game "Zelda"` → `task # of game "*"`.
 */
export function fingerprintOf(reason: string | null): string {
  if (reason === null || reason.trim() === '') return NO_REASON;
  let text = reason;
  for (const [pattern, mask] of MASKS) text = text.replace(pattern, mask);
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > FINGERPRINT_MAX ? text.slice(0, FINGERPRINT_MAX) : text;
}

/** A short, stable id for a fingerprint: 12 hex digits of its sha256 (48 bits). */
export function groupIdOf(fingerprint: string): string {
  return createHash('sha256').update(fingerprint).digest('hex').slice(0, 12);
}

export const GROUP_ID_PATTERN = /^[0-9a-f]{12}$/;
