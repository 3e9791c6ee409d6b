import type { AuditAction, AuditEntry, AuditOrigin } from '@retro/common';
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';

export { AUDIT_ACTIONS, type AuditAction, type AuditEntry } from '@retro/common';

/** An archived row an action touched. */
export interface AuditItem {
  id: number;
  messageId: string | null;
}

export const AUDIT_IDS_SHOWN = 100;

type Db = Pool | PoolConnection;

/**
 * Writes the console's entry for an action about to run and answers its id. The actor is the
 * account the access check found (session or token), never anything the request says of itself.
 */
export async function openAudit(
  db: Db,
  action: AuditAction,
  origin: AuditOrigin,
  request: unknown,
  jobId: string | null = null,
): Promise<number> {
  const [result] = await db.query<ResultSetHeader>(
    `INSERT INTO dead_letter_audit (action, client_ip, actor, request, job_id)
     VALUES (?, ?, ?, ?, ?)`,
    [
      action,
      (origin.clientIp ?? 'unknown').slice(0, 64),
      origin.actor,
      JSON.stringify(request),
      jobId,
    ],
  );
  return result.insertId;
}

/**
 * Records the rows an action touched. Called in the transaction that touched them, so the trail
 * says exactly what was replayed or deleted even if the process stops half way.
 */
export async function recordAffected(
  connection: PoolConnection,
  auditId: number,
  items: AuditItem[],
): Promise<void> {
  if (items.length === 0) return;
  await connection.query(
    'INSERT IGNORE INTO dead_letter_audit_items (audit_id, dead_letter_id, message_id) VALUES ?',
    [items.map((item) => [auditId, item.id, item.messageId])],
  );
  await connection.query('UPDATE dead_letter_audit SET affected = affected + ? WHERE id = ?', [
    items.length,
    auditId,
  ]);
}

/** Stores how the action ended (a job's status and error, an edit's new message id). */
export async function closeAudit(db: Db, auditId: number, outcome: unknown): Promise<void> {
  await db.query('UPDATE dead_letter_audit SET outcome = ? WHERE id = ?', [
    JSON.stringify(outcome),
    auditId,
  ]);
}

/** Newest entries first, before entry `before`, optionally of one action or about one row. */
export async function listAudit(
  pool: Pool,
  query: { limit: number; before?: number; action?: AuditAction; deadLetterId?: number },
): Promise<{ entries: AuditEntry[]; total: number }> {
  const terms: string[] = [];
  const params: unknown[] = [];
  if (query.action) {
    terms.push('a.action = ?');
    params.push(query.action);
  }
  if (query.deadLetterId !== undefined) {
    terms.push(
      'EXISTS (SELECT 1 FROM dead_letter_audit_items i WHERE i.audit_id = a.id AND i.dead_letter_id = ?)',
    );
    params.push(query.deadLetterId);
  }
  const filter = terms.length ? `WHERE ${terms.join(' AND ')}` : '';
  const page =
    query.before === undefined ? filter : `${filter ? `${filter} AND` : 'WHERE'} a.id < ?`;
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT a.* FROM dead_letter_audit a ${page} ORDER BY a.id DESC LIMIT ?`,
    [...params, ...(query.before === undefined ? [] : [query.before]), query.limit],
  );
  const [[count]] = await pool.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS n FROM dead_letter_audit a ${filter}`,
    params,
  );
  const entries: AuditEntry[] = [];
  for (const row of rows) {
    const [items] = await pool.query<RowDataPacket[]>(
      `SELECT dead_letter_id FROM dead_letter_audit_items WHERE audit_id = ?
        ORDER BY dead_letter_id LIMIT ?`,
      [row.id, AUDIT_IDS_SHOWN],
    );
    entries.push({
      id: Number(row.id),
      at: (row.at as Date).toISOString(),
      action: row.action,
      clientIp: row.client_ip,
      actor: row.actor ?? null,
      request: parse(row.request),
      jobId: row.job_id ?? null,
      affected: Number(row.affected),
      outcome: parse(row.outcome),
      deadLetterIds: items.map((i) => Number(i.dead_letter_id)),
    });
  }
  return { entries, total: Number(count?.n ?? 0) };
}

/** MariaDB hands JSON columns over as text, MySQL 8 as parsed values. */
const parse = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : (value ?? null));

/**
 * Removes up to `limit` console audit entries older than `before` with the rows they list, oldest
 * first (AUDIT_RETENTION_MS; housekeeping loops with pauses). Answers the entries removed.
 */
export async function pruneAudit(db: Db, before: Date, limit: number): Promise<number> {
  const [rows] = await db.query<RowDataPacket[]>(
    'SELECT id FROM dead_letter_audit WHERE at < ? ORDER BY at, id LIMIT ?',
    [before, limit],
  );
  if (rows.length === 0) return 0;
  const ids = rows.map((r) => Number(r.id));
  await db.query('DELETE FROM dead_letter_audit_items WHERE audit_id IN (?)', [ids]);
  const [result] = await db.query<ResultSetHeader>(
    'DELETE FROM dead_letter_audit WHERE id IN (?)',
    [ids],
  );
  return result.affectedRows;
}
