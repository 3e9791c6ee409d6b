import { AppError, recordAudit, type Alert, type AuditOrigin } from '@retro/common';
import { withTransaction, type Pool } from '../data-access/db.js';
import * as alerts from '../data-access/alerts-repo.js';

type Action = 'ack' | 'snooze';

/**
 * An operator's acknowledgement or snooze of a firing alert, audited with the actor in the same
 * transaction. A resolved alert is a 409: there is nothing left to attend to.
 */
export async function attendAlert(
  pool: Pool,
  origin: AuditOrigin,
  id: number,
  action: Action,
  minutes?: number,
): Promise<Alert> {
  return withTransaction(pool, async (connection) => {
    const until = minutes === undefined ? null : new Date(Date.now() + minutes * 60_000);
    const changed = until
      ? await alerts.snoozeAlert(connection, id, until, origin.actor)
      : await alerts.acknowledgeAlert(connection, id, origin.actor);
    const alert = await alerts.findAlert(connection, id);
    if (!alert) throw AppError.notFound(`Alert ${id}`);
    if (!changed) {
      throw new AppError('CONFLICT', 409, `Alert ${id} is ${alert.state}, not firing`);
    }
    await recordAudit(connection, origin, {
      action: action === 'ack' ? 'alert.ack' : 'alert.snooze',
      target: `alert:${id}`,
      detail: until
        ? { rule: alert.rule, minutes, until: until.toISOString() }
        : { rule: alert.rule },
    });
    return alert;
  });
}
