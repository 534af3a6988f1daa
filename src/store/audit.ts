import type { Db } from './db.js';

/** An audit entry. Ids and codes only: never names, NHS numbers or other patient data. */
export interface AuditEvent {
  actor: string;
  action: string;
  tenantId?: string;
  resourceRef?: string;
  outcome?: 'success' | 'failure';
  details?: Record<string, unknown>;
}

export async function recordAudit(db: Db, e: AuditEvent): Promise<void> {
  await db.query(
    'INSERT INTO audit_events (actor, action, tenant_id, resource_ref, outcome, details) VALUES ($1, $2, $3, $4, $5, $6)',
    [e.actor, e.action, e.tenantId ?? null, e.resourceRef ?? null, e.outcome ?? 'success', JSON.stringify(e.details ?? {})],
  );
}
