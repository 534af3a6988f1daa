import type { Bundle, Task } from '@medplum/fhirtypes';
import type { Db } from '../store/db.js';

/**
 * What referral creation needs from the reconciler's transactional outbox (src/reconcile/outbox):
 * 1. `enqueue` a row in state `awaiting-referral` before anything is written to the EHR;
 * 2. the caller writes ServiceRequest + Provenance to the EHR (conditional create on the referral id);
 * 3. `markReferralWritten` makes the row `ready`, and the outbox worker delivers the Task with a
 *    conditional create on its identifier. A crash between the steps can neither lose nor duplicate it.
 */
export interface ReferralOutbox {
  enqueue(db: Db, row: { tenantId: string; endpointId: string; referralIdentifier: string; task: Task }): Promise<{ id: string | number } | string | number>;
  markReferralWritten(db: Db, rowId: string | number, serviceRequestUrl: string): Promise<unknown>;
  /**
   * A referral someone other than the GP made, linked to a registered patient who agreed that their GP is told: the
   * outbox writes `ehrBundle` (src/referrals/gp-record.ts) into the practice's EHR, then points the referral's Task
   * (found by `referralIdentifier`) at the ServiceRequest written. Once per referral, however often asked.
   */
  enqueueGpRecord(db: Db, row: { tenantId: string; endpointId: string; referralIdentifier: string; task: Task; ehrBundle: Bundle }): Promise<unknown>;
}

export function outboxRowId(r: { id: string | number } | string | number): string | number {
  return typeof r === 'object' ? r.id : r;
}
