import type { Request, Response } from 'express';
import type { Connection, Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { AuditRecord } from '../access-api.js';
import { principalOf } from './access.js';

/** One state change to record: the actor comes from the request's principal, never a header. */
export interface AuditEvent {
  action: string;
  target?: string | null;
  detail?: unknown;
}

/** Who did it and where it came from, taken from a request that passed the access check. */
export interface AuditOrigin {
  service: string;
  actor: string | null;
  role: string | null;
  requestId: string | null;
  clientIp: string | null;
}

export function auditOrigin(service: string, req: Request, res: Response): AuditOrigin {
  const principal = principalOf(res);
  const requestId = res.getHeader('X-Request-Id');
  return {
    service,
    actor: principal?.username ?? null,
    role: principal?.role ?? null,
    requestId: typeof requestId === 'string' ? requestId : null,
    clientIp: req.ip ?? null,
  };
}

/** Writes one audit row; pass the transaction's connection to record it with the change. */
export async function recordAudit(
  db: Pool | Connection,
  origin: AuditOrigin,
  event: AuditEvent,
): Promise<void> {
  const { sql, params } = auditStatement(origin, event);
  await db.query(sql, params);
}

/**
 * The insert of one audit row as SQL and its `?` parameters, for a transaction sent to the
 * server as one multi-statement query. With `targetIdVariable` the server appends that session
 * variable (the id of a row inserted earlier in the same query) to `target`: `game:` + the id.
 */
export function auditStatement(
  origin: AuditOrigin,
  event: AuditEvent & { targetIdVariable?: `@${string}` },
): { sql: string; params: unknown[] } {
  const variable = event.targetIdVariable;
  if (variable !== undefined && !/^@[A-Za-z0-9_]{1,64}$/.test(variable)) {
    throw new Error(`not a session variable: ${variable}`);
  }
  return {
    sql: `INSERT INTO audit_log (service, actor, role, action, target, request_id, client_ip, detail)
     VALUES (?, ?, ?, ?, ${variable ? `CONCAT(?, ${variable})` : '?'}, ?, ?, ?)`,
    params: [
      origin.service,
      origin.actor,
      origin.role,
      event.action,
      event.target ?? null,
      origin.requestId,
      origin.clientIp?.slice(0, 64) ?? null,
      event.detail === undefined ? null : JSON.stringify(event.detail),
    ],
  };
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  from?: Date;
  to?: Date;
  limit: number;
  offset: number;
}

/** Newest first, with the total matching (`X-Total-Count`). */
export async function listAudit(
  pool: Pool,
  filter: AuditFilter,
): Promise<{ entries: AuditRecord[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  for (const column of ['actor', 'action', 'target'] as const) {
    if (filter[column] !== undefined) {
      where.push(`${column} = ?`);
      params.push(filter[column]);
    }
  }
  if (filter.from) {
    where.push('at >= ?');
    params.push(filter.from);
  }
  if (filter.to) {
    where.push('at < ?');
    params.push(filter.to);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [[count]] = await pool.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS n FROM audit_log ${clause}`,
    params,
  );
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT id, at, service, actor, role, action, target, request_id, detail
       FROM audit_log ${clause} ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`,
    [...params, filter.limit, filter.offset],
  );
  return { entries: rows.map(toRecord), total: Number(count!.n) };
}

/**
 * Removes up to `limit` entries older than `before`, oldest first, in one short statement
 * (housekeeping loops with pauses, AUDIT_RETENTION_MS). Answers the rows removed.
 */
export async function pruneAuditLog(
  db: Pool | Connection,
  before: Date,
  limit: number,
): Promise<number> {
  const [result] = await db.query<ResultSetHeader>(
    'DELETE FROM audit_log WHERE at < ? ORDER BY at, id LIMIT ?',
    [before, limit],
  );
  return result.affectedRows;
}

function toRecord(row: RowDataPacket): AuditRecord {
  const detail = row.detail;
  return {
    id: Number(row.id),
    at: (row.at as Date).toISOString(),
    service: row.service,
    actor: row.actor,
    role: row.role,
    action: row.action,
    target: row.target,
    requestId: row.request_id,
    // MariaDB answers JSON columns as text, MySQL as parsed values
    detail: typeof detail === 'string' ? JSON.parse(detail) : (detail ?? null),
  };
}
