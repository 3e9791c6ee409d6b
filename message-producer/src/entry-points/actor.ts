import { type AuditOrigin, auditOrigin } from '@retro/common';
import type { Request, Response } from 'express';
import { AUDIT_SERVICE } from '../domain/change-log.js';

/**
 * Who is asking, for the audit trails: the account the access check found (session or token) and
 * `req.ip` (see TRUST_PROXY). Nothing the request says about itself (an `X-Actor` header) counts.
 */
export function actorOf(req: Request, res: Response): AuditOrigin {
  return auditOrigin(AUDIT_SERVICE, req, res);
}
