import {
  GAME_ACTIONS,
  HEADERS,
  HEADER_LIMITS,
  RETRY_COUNT_RULE,
  isValidRetryCount,
  type MessageKind,
} from '@retro/common/api';

/** What the editor holds, checked as the tester types. */
export type Checked = { ok: true; value: unknown } | { ok: false; error: string };

const ACTIONS: readonly string[] = GAME_ACTIONS;

export function parseJson(text: string): Checked {
  if (text.trim() === '') return { ok: false, error: 'Empty: type a JSON value' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: `Not valid JSON: ${(error as Error).message}` };
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The same rules the API applies, so most mistakes show up before publishing. */
export function checkBody(kind: MessageKind, value: unknown): string | null {
  if (kind === 'raw') return null;
  if (!isObject(value)) return 'Must be a JSON object';
  if (kind === 'custom') {
    const { message } = value;
    if (message === undefined || message === null || message === '') return '"message" is required';
    return null;
  }
  const gameId = Number(value.gameId);
  if (!Number.isInteger(gameId) || gameId <= 0) return '"gameId" must be a positive integer';
  if (!ACTIONS.includes(String(value.action)))
    return `"action" must be one of ${ACTIONS.join(', ')}`;
  if ('gameData' in value && value.gameData !== null && !isObject(value.gameData)) {
    return '"gameData" must be an object';
  }
  return null;
}

/** The headers field: empty, or a JSON object of strings, numbers and booleans. */
export function parseHeaders(text: string): Checked {
  if (text.trim() === '') return { ok: true, value: {} };
  const parsed = parseJson(text);
  if (!parsed.ok) return parsed;
  if (!isObject(parsed.value)) return { ok: false, error: 'Headers must be a JSON object' };
  if (Object.keys(parsed.value).length > HEADER_LIMITS.count) {
    return { ok: false, error: `At most ${HEADER_LIMITS.count} headers` };
  }
  for (const [name, v] of Object.entries(parsed.value)) {
    if (!['string', 'number', 'boolean'].includes(typeof v)) {
      return { ok: false, error: `Header "${name}" must be a string, number or boolean` };
    }
  }
  const retry = parsed.value[HEADERS.retryCount];
  if (retry !== undefined && !isValidRetryCount(retry)) {
    return { ok: false, error: `"${HEADERS.retryCount}" ${RETRY_COUNT_RULE}` };
  }
  return parsed;
}

/**
 * The request for the kind's endpoint. For custom and game events the editor holds the request
 * itself; for raw it holds the message body (or, with `sendText`, the text to send verbatim).
 */
export function buildRequest(
  kind: MessageKind,
  body: unknown,
  headers: Record<string, unknown>,
): Record<string, unknown> {
  const withHeaders = Object.keys(headers).length > 0 ? { headers } : {};
  if (kind === 'raw') return { body, ...withHeaders };
  return { ...(body as Record<string, unknown>), ...withHeaders };
}

/** Splits a template's payload into what goes in the editor and what in the headers field. */
export function splitTemplate(
  kind: MessageKind,
  payload: Record<string, unknown>,
): { editor: unknown; headers: Record<string, unknown> | undefined } {
  const { headers, ...rest } = payload as { headers?: Record<string, unknown>; body?: unknown };
  return { editor: kind === 'raw' ? rest.body : rest, headers };
}

/** What the compose form holds, as typed. */
export interface ComposerValues {
  kind: MessageKind;
  editor: string;
  /** Raw only: send the editor's text as it is, not as JSON. */
  sendText: boolean;
  headers: string;
  count: string;
}

/** Every field of the compose form checked: what is wrong with each, and the request when none is. */
export interface ComposerCheck {
  bodyError: string | null;
  headersError: string | null;
  countOk: boolean;
  ready: { kind: MessageKind; request: Record<string, unknown>; count: number } | null;
}

export function checkComposer(values: ComposerValues): ComposerCheck {
  const { kind } = values;
  let body: unknown;
  let bodyError: string | null = null;
  if (values.sendText) {
    body = values.editor;
    if (body === '') bodyError = 'Empty: type the text to send';
  } else {
    const parsed = parseJson(values.editor);
    bodyError = parsed.ok ? checkBody(kind, parsed.value) : parsed.error;
    body = parsed.ok ? parsed.value : undefined;
  }
  const headers = parseHeaders(values.headers);
  const count = Number(values.count);
  const countOk = Number.isInteger(count) && count >= 1 && count <= 10_000;
  const ready =
    bodyError === null && headers.ok && countOk
      ? { kind, request: buildRequest(kind, body, headers.value as Record<string, unknown>), count }
      : null;
  return { bodyError, headersError: headers.ok ? null : headers.error, countOk, ready };
}
