import type { QuarantinedMessage } from '@retro/common';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { ArchiveRecord } from '../domain/archived-message.js';
import { isDataError } from './db.js';

export type { QuarantinedMessage } from '@retro/common';

/**
 * Body bytes a quarantined row keeps. With headers and properties (a frame each, 128 KiB by
 * default) the row stays well inside one packet (16 MiB on MariaDB), so it can always be written.
 */
export const QUARANTINE_BODY_BYTES = 8 * 1024 * 1024;
const MESSAGE_MAX = 2_000;

/** Why the archive refused a record: the database error's code and message. */
export interface RefusalReason {
  code: string;
  message: string;
}

export function refusalOf(error: unknown): RefusalReason {
  const { code, errno, sqlState, sqlMessage, message } = (error ?? {}) as Record<string, unknown>;
  const text = typeof sqlMessage === 'string' ? sqlMessage : message;
  // the driver names error numbers as MySQL does; MariaDB's failed CHECK (a JSON column's) shares
  // its number with an unrelated MySQL error, and only the SQL state tells them apart
  const named = errno === 4025 && sqlState === '23000' ? 'ER_CONSTRAINT_FAILED' : code;
  return {
    code: typeof named === 'string' ? named.slice(0, 64) : 'UNKNOWN',
    message: (typeof text === 'string' ? text : String(error)).slice(0, MESSAGE_MAX),
  };
}

/**
 * Stores a record the archive refused, with the refusal. True when stored now, false when it was
 * there already (redelivered after a crash between the commit and the ack). Should the database
 * refuse even this row's headers or body, the record is stored without them: its id, size and the
 * reasons still say what happened, and nothing is held up.
 */
export async function quarantine(
  pool: Pool,
  record: ArchiveRecord,
  reason: RefusalReason,
): Promise<boolean> {
  const row = rowOf(record, reason);
  try {
    return await insert(pool, row);
  } catch (error) {
    if (!isDataError(error)) throw error;
    const again = refusalOf(error);
    const message = `${reason.message} (kept without body and headers: ${again.code} ${again.message})`;
    return insert(pool, {
      ...row,
      message: message.slice(0, MESSAGE_MAX),
      body: '',
      truncated: true,
      properties: '{}',
      headers: '{}',
    });
  }
}

interface Row {
  archiveKey: Buffer;
  messageId: string | null;
  code: string;
  message: string;
  encoding: 'utf8' | 'base64';
  body: string;
  bytes: number;
  truncated: boolean;
  properties: string;
  headers: string;
}

function rowOf(record: ArchiveRecord, reason: RefusalReason): Row {
  const { body, truncated } = bounded(record.body);
  return {
    archiveKey: record.archiveKey,
    messageId: record.messageId,
    code: reason.code,
    message: reason.message,
    encoding: record.bodyEncoding,
    body,
    bytes: record.bodyBytes,
    truncated,
    properties: JSON.stringify(record.properties),
    headers: JSON.stringify(record.headers),
  };
}

/** The body, cut to QUARANTINE_BODY_BYTES (a cut UTF-8 character at the end becomes U+FFFD). */
function bounded(body: string): { body: string; truncated: boolean } {
  if (Buffer.byteLength(body) <= QUARANTINE_BODY_BYTES) return { body, truncated: false };
  const cut = Buffer.from(body).subarray(0, QUARANTINE_BODY_BYTES).toString('utf8');
  return { body: cut, truncated: true };
}

async function insert(pool: Pool, row: Row): Promise<boolean> {
  const [found] = await pool.query<RowDataPacket[]>(
    'SELECT 1 FROM dead_letter_quarantine WHERE archive_key = ?',
    [row.archiveKey],
  );
  if (found.length > 0) return false;
  // two archivers quarantining the same parking at once: the second keeps the first one's row
  await pool.query(
    `INSERT INTO dead_letter_quarantine (archive_key, message_id, error_code, error_message,
       body_encoding, body, body_bytes, body_truncated, properties, headers)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE id = id`,
    [
      row.archiveKey,
      row.messageId,
      row.code,
      row.message,
      row.encoding,
      row.body,
      row.bytes,
      row.truncated,
      row.properties,
      row.headers,
    ],
  );
  return true;
}

/** Quarantined records, newest first, before record `before`; and how many there are. */
export async function listQuarantine(
  pool: Pool,
  { limit, before }: { limit: number; before?: number },
): Promise<{ items: QuarantinedMessage[]; total: number }> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT * FROM dead_letter_quarantine ${before === undefined ? '' : 'WHERE id < ?'}
      ORDER BY id DESC LIMIT ?`,
    before === undefined ? [limit] : [before, limit],
  );
  const [[count]] = await pool.query<RowDataPacket[]>(
    'SELECT COUNT(*) AS n FROM dead_letter_quarantine',
  );
  return { items: rows.map(toQuarantined), total: Number(count?.n ?? 0) };
}

function toQuarantined(row: RowDataPacket): QuarantinedMessage {
  return {
    id: Number(row.id),
    messageId: row.message_id ?? null,
    reason: `${row.error_code}: ${row.error_message}`,
    errorCode: row.error_code,
    quarantinedAt: (row.quarantined_at as Date).toISOString(),
    body: row.body,
    bodyEncoding: row.body_encoding,
    bodyBytes: Number(row.body_bytes),
    bodyTruncated: Boolean(row.body_truncated),
    headers: parseObject(row.headers),
    properties: parseObject(row.properties),
  };
}

function parseObject(text: unknown): Record<string, unknown> {
  try {
    return JSON.parse(String(text)) as Record<string, unknown>;
  } catch {
    return {};
  }
}
