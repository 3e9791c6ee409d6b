import { type AuditEvent, type AuditOrigin, type Logger, recordAudit } from '@retro/common';
import type { Pool, PoolConnection } from 'mysql2/promise';

/** The service name the producer's rows of `audit_log` carry. */
export const AUDIT_SERVICE = 'message-producer';

/**
 * The producer's rows of the shared audit trail (`audit_log`, `GET /api/audit` on the backend):
 * one per state change, with the account the access check found as the actor.
 */
export class ChangeLog {
  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
  ) {}

  /** Records a change in the transaction that makes it (`connection`), or on its own. */
  record(origin: AuditOrigin, event: AuditEvent, connection?: PoolConnection): Promise<void> {
    return recordAudit(connection ?? this.pool, origin, event);
  }

  /**
   * Records a change that has already happened outside the database (a message the broker
   * confirmed): it stands whatever happens here, so a failed write is logged loudly rather than
   * turned into an error answer that would make the tester publish it again.
   */
  async recordDone(origin: AuditOrigin, event: AuditEvent): Promise<void> {
    try {
      await recordAudit(this.pool, origin, event);
    } catch (error) {
      this.logger.error('could not write the audit trail', {
        action: event.action,
        target: event.target,
        actor: origin.actor,
        error,
      });
    }
  }
}
