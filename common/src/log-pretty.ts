import winston from 'winston';

const COLOURS: Record<string, string> = {
  error: '\x1b[31m',
  warn: '\x1b[33m',
  info: '\x1b[32m',
  http: '\x1b[36m',
  verbose: '\x1b[34m',
  debug: '\x1b[35m',
  silly: '\x1b[90m',
};
/** Where winston's transports read the finished line (triple-beam's MESSAGE). */
export const MESSAGE = Symbol.for('message');
const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

/** Fields every line has, or that are shown in their own place rather than as `key=value`. */
const OWN_PLACE = new Set(['level', 'message', 'timestamp', 'service', 'correlationId', 'eventId']);

function shown(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  if (value && typeof value === 'object' && 'message' in value && 'name' in value) {
    // a serialized Error: its message (and code) reads well on one line; the stack does not
    const { name, message, code } = value as { name: string; message: string; code?: unknown };
    return JSON.stringify(`${name}: ${message}${code === undefined ? '' : ` (${String(code)})`}`);
  }
  return JSON.stringify(value) ?? String(value);
}

/**
 * One coloured line per event for a person at a terminal:
 * `12:03:04.567 backend    info  backend listening port=3000 [req 1f2e…]`.
 */
export function formatPretty(info: Record<string, unknown>, colour = true): string {
  const paint = (code: string, text: string) => (colour ? `${code}${text}${RESET}` : text);
  const level = String(info.level);
  const time = typeof info.timestamp === 'string' ? info.timestamp.slice(11, 23) : '';
  const fields = Object.entries(info)
    .filter(([key, value]) => !OWN_PLACE.has(key) && value !== undefined)
    .map(([key, value]) => `${paint(DIM, `${key}=`)}${shown(value)}`);
  const ids = [
    info.correlationId === undefined ? '' : `req ${String(info.correlationId)}`,
    info.eventId === undefined ? '' : `event ${String(info.eventId)}`,
  ].filter(Boolean);
  return [
    paint(DIM, time),
    paint(BOLD, String(info.service ?? '').padEnd(16)),
    paint(COLOURS[level] ?? '', level.padEnd(5)),
    String(info.message),
    ...fields,
    ...(ids.length ? [paint(DIM, `[${ids.join(' ')}]`)] : []),
  ].join(' ');
}

/** The winston format that writes {@link formatPretty} lines. */
export const prettyLine = winston.format((info) => {
  // pretty lines are for a person at a terminal; LOG_FORMAT=json is the plain alternative
  (info as Record<string | symbol, unknown>)[MESSAGE] = formatPretty(
    info as unknown as Record<string, unknown>,
  );
  return info;
});
