import type { Task } from '@medplum/fhirtypes';
import type { Db } from '../../store/db.js';
import { enqueue, enqueueGpRecord, markReferralWritten, countByState, getRow, type EnqueueInput, type GpRecordInput, type OutboxRow } from './store.js';

export { runOutbox, type OutboxDeps, type OutboxRunResult } from './worker.js';
export type { OutboxRow, OutboxState, OutboxKind, EnqueueInput, GpRecordInput } from './store.js';

/**
 * The transactional outbox for Tasks created with a referral (docs/ARCHITECTURE.md, the loop, step 2). Contract with referral
 * creation (src/referrals/outbox-port.ts): `enqueue` (state awaiting-referral) → write the referral to the
 * EHR → `markReferralWritten` (state ready) → the outbox worker delivers the Task.
 */
export interface Outbox {
  enqueue(db: Db, row: { tenantId: string; endpointId: string; referralIdentifier: string; task: Task }): Promise<number>;
  markReferralWritten(db: Db, rowId: string | number, serviceRequestUrl: string): Promise<void>;
  /** A referral someone other than the GP made, to write into the GP record (src/referrals/gp-record.ts). */
  enqueueGpRecord(db: Db, row: GpRecordInput): Promise<number>;
  get(db: Db, rowId: number): Promise<OutboxRow | undefined>;
  counts(db: Db): Promise<Record<string, number>>;
}

export const outbox: Outbox = {
  enqueue: (db, row: EnqueueInput) => enqueue(db, row),
  markReferralWritten,
  enqueueGpRecord,
  get: getRow,
  counts: countByState,
};
