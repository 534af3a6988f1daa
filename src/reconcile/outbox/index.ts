import type { Task } from '@medplum/fhirtypes';
import type { Db } from '../../store/db.js';
import { enqueue, markReferralWritten, countByState, getRow, type EnqueueInput, type OutboxRow } from './store.js';

export { runOutbox, type OutboxDeps, type OutboxRunResult } from './worker.js';
export type { OutboxRow, OutboxState, EnqueueInput } from './store.js';

/**
 * The transactional outbox for Tasks created with a referral (docs/ARCHITECTURE.md, the loop, step 2). Contract with referral
 * creation (src/referrals/outbox-port.ts): `enqueue` (state awaiting-referral) → write the referral to the
 * EHR → `markReferralWritten` (state ready) → the outbox worker delivers the Task.
 */
export interface Outbox {
  enqueue(db: Db, row: { tenantId: string; endpointId: string; referralIdentifier: string; task: Task }): Promise<number>;
  markReferralWritten(db: Db, rowId: string | number, serviceRequestUrl: string): Promise<void>;
  get(db: Db, rowId: number): Promise<OutboxRow | undefined>;
  counts(db: Db): Promise<Record<string, number>>;
}

export const outbox: Outbox = {
  enqueue: (db, row: EnqueueInput) => enqueue(db, row),
  markReferralWritten,
  get: getRow,
  counts: countByState,
};
