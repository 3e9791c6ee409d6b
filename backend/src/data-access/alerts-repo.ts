import type { Alert, AlertNotification, AlertRule } from '@retro/common';
import { iso, withTransaction, type Pool, type Queryable, type Result, type Row } from './db.js';

const COLUMNS = `id, rule, state, summary, raised_at, resolved_at, acknowledged_at, acknowledged_by,
  snoozed_until, snoozed_by`;

function toAlert(row: Row): Alert {
  return {
    id: Number(row.id),
    rule: row.rule,
    state: row.state,
    summary: row.summary,
    since: iso(row.raised_at)!,
    resolvedAt: iso(row.resolved_at),
    acknowledgedAt: iso(row.acknowledged_at),
    acknowledgedBy: row.acknowledged_by,
    snoozedUntil: iso(row.snoozed_until),
    snoozedBy: row.snoozed_by,
  };
}

/** Where a notification sends its reader, and whether notifications are kept at all. */
export interface NotifyOptions {
  /** The backend's address as operators reach it (ALERT_LINK_BASE_URL). */
  linkBase: string;
  /** False without ALERT_WEBHOOK_URL: nothing would ever deliver them. */
  enabled: boolean;
}

export async function firingAlerts(db: Queryable): Promise<Alert[]> {
  const [rows] = await db.query<Row[]>(
    `SELECT ${COLUMNS} FROM alerts WHERE state = 'firing' ORDER BY id`,
  );
  return rows.map(toAlert);
}

/**
 * Raises `rule` with its notification, in one transaction; null when the rule already fires (the
 * unique `firing_rule` key: two replicas that both thought they held the lease raise it once).
 */
export async function raiseAlert(
  pool: Pool,
  rule: AlertRule,
  summary: string,
  notify: NotifyOptions,
): Promise<Alert | null> {
  const raisedAt = new Date();
  try {
    return await withTransaction(pool, async (connection) => {
      const [result] = await connection.query<Result>(
        `INSERT INTO alerts (rule, state, summary, raised_at, firing_rule) VALUES (?, 'firing', ?, ?, ?)`,
        [rule, summary.slice(0, 500), raisedAt, rule],
      );
      const [[row]] = await connection.query<Row[]>(`SELECT ${COLUMNS} FROM alerts WHERE id = ?`, [
        result.insertId,
      ]);
      const alert = toAlert(row!);
      if (notify.enabled) await queueNotification(connection, alert, notify.linkBase);
      return alert;
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'ER_DUP_ENTRY') return null;
    throw error;
  }
}

/** Resolves a firing alert with its notification; null when it was no longer firing. */
export async function resolveAlert(
  pool: Pool,
  id: number,
  notify: NotifyOptions,
): Promise<Alert | null> {
  return withTransaction(pool, async (connection) => {
    const [result] = await connection.query<Result>(
      `UPDATE alerts SET state = 'resolved', resolved_at = ?, firing_rule = NULL
        WHERE id = ? AND state = 'firing'`,
      [new Date(), id],
    );
    if (result.affectedRows !== 1) return null;
    const [[row]] = await connection.query<Row[]>(`SELECT ${COLUMNS} FROM alerts WHERE id = ?`, [
      id,
    ]);
    const alert = toAlert(row!);
    if (notify.enabled) await queueNotification(connection, alert, notify.linkBase);
    return alert;
  });
}

/** The payload of one transition; its key is the same on every attempt, by any replica. */
export function notificationOf(alert: Alert, linkBase: string) {
  const payload: AlertNotification = {
    id: alert.id,
    rule: alert.rule,
    state: alert.state,
    since: alert.state === 'firing' ? alert.since : alert.resolvedAt!,
    summary: alert.summary,
    link: `${linkBase}/api/alerts?since=${encodeURIComponent(alert.since)}`,
  };
  return { key: `alert-${alert.id}-${alert.state}`, payload };
}

async function queueNotification(db: Queryable, alert: Alert, linkBase: string): Promise<void> {
  const { key, payload } = notificationOf(alert, linkBase);
  await db.query(
    `INSERT INTO alert_notifications (alert_id, idempotency_key, payload) VALUES (?, ?, ?)`,
    [alert.id, key, JSON.stringify(payload)],
  );
}

/** The alerts raised before `until` and not resolved before `since`, newest first. */
export async function listAlerts(
  db: Queryable,
  range: { since: Date; until: Date; limit: number },
): Promise<Alert[]> {
  const [rows] = await db.query<Row[]>(
    `SELECT ${COLUMNS} FROM alerts
      WHERE raised_at < ? AND (resolved_at IS NULL OR resolved_at >= ?)
      ORDER BY raised_at DESC, id DESC LIMIT ?`,
    [range.until, range.since, range.limit],
  );
  return rows.map(toAlert);
}

/** Alerts firing now, and those of them nobody acknowledged or snoozed (the bell's count). */
export async function countFiring(db: Queryable): Promise<{ firing: number; unattended: number }> {
  const [[row]] = await db.query<Row[]>(
    `SELECT COUNT(*) AS firing,
            COALESCE(SUM(acknowledged_at IS NULL
                         AND (snoozed_until IS NULL OR snoozed_until <= ?)), 0) AS unattended
       FROM alerts WHERE state = 'firing'`,
    [new Date()],
  );
  return { firing: Number(row!.firing), unattended: Number(row!.unattended) };
}

export async function findAlert(db: Queryable, id: number): Promise<Alert | null> {
  const [[row]] = await db.query<Row[]>(`SELECT ${COLUMNS} FROM alerts WHERE id = ?`, [id]);
  return row ? toAlert(row) : null;
}

/** Marks a firing alert acknowledged by `actor`; false when it is not firing. */
export async function acknowledgeAlert(db: Queryable, id: number, actor: string | null) {
  const [result] = await db.query<Result>(
    `UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ? AND state = 'firing'`,
    [new Date(), actor, id],
  );
  return result.affectedRows === 1;
}

/** Snoozes a firing alert until `until`; false when it is not firing. */
export async function snoozeAlert(db: Queryable, id: number, until: Date, actor: string | null) {
  const [result] = await db.query<Result>(
    `UPDATE alerts SET snoozed_until = ?, snoozed_by = ? WHERE id = ? AND state = 'firing'`,
    [until, actor, id],
  );
  return result.affectedRows === 1;
}
