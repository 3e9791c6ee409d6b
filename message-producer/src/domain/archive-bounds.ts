import { DELIVERY_LIMITS, cutMarker } from '@retro/common';

/** Says how many headers a parked message had beyond what the archive keeps. */
export const OMITTED_HEADERS = 'x-archive-omitted';

/**
 * A parked message's headers (already JSON-safe) as the archive keeps them: at most
 * DELIVERY_LIMITS.headerCount of them, in their order, plus a note of how many more there were;
 * names and values longer than their bound cut and ended with a marker saying so. Anyone may
 * publish to the DLQ, and one absurd header must cost its record a few characters, not its place
 * in the archive.
 */
export function boundedHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const { headerCount, nameLength } = DELIVERY_LIMITS;
  const entries = Object.entries(headers);
  const kept: Record<string, unknown> = {};
  for (const [name, value] of entries.slice(0, headerCount)) {
    kept[cut(name, nameLength)] = boundedValue(value);
  }
  const omitted = entries.length - headerCount;
  if (omitted > 0) {
    kept[OMITTED_HEADERS] =
      `${omitted} more header${omitted === 1 ? '' : 's'} not archived (at most ${headerCount})`;
  }
  return kept;
}

/** A text, or a table's or array's JSON, cut at the value bound; other values as they are. */
export function boundedValue(value: unknown): unknown {
  const bound = DELIVERY_LIMITS.valueLength;
  if (typeof value === 'string') return cut(value, bound);
  if (typeof value === 'object' && value !== null) {
    const json = JSON.stringify(value);
    return json.length > bound ? cut(json, bound) : value;
  }
  return value;
}

function cut(text: string, bound: number): string {
  return text.length > bound ? `${text.slice(0, bound)}${cutMarker(text.length, bound)}` : text;
}
