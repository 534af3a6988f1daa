import type { Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM } from '../referral-model/codes.js';
import { onwardProgress, parentTaskId, readOnwardReferral, type OnwardState } from '../referral-model/onward-referral.js';
import { referralKey } from './referral-fact.js';

/**
 * One onward referral (a sub-Task to a community group) as the reports see it: which community service, how far it
 * got, and why it was declined or withdrawn, tied to its referral's fact by that referral's key (for the filters and
 * the equality splits). Built from one sub-Task version, pure, read as every surface reads it
 * (`readOnwardReferral`); identifiers never enter it: both keys are one-way hashes of where the Tasks live.
 */
export interface OnwardFact {
  key: string;
  /** report_referrals.referral_key of the referral Task it is part of. */
  referralKey: string;
  communityService: string;
  provider?: string;
  state: OnwardState;
  /** How far the state is (onwardProgress): the store keeps the furthest seen. */
  progress: number;
  /** Why it was declined or withdrawn: SP Link's status-reason code. */
  reason?: string;
  sentAt: string;
  /** When the group first answered (the store keeps the earliest seen). */
  answeredAt?: string;
  sessions?: number;
}

const REASONED: ReadonlySet<OnwardState> = new Set(['declined', 'withdrawn']);

/** The fact of a sub-Task version at `endpointId` (the link-worker endpoint that holds it and its referral), or none when it is part of no Task. */
export function onwardFact(task: Task & { id: string }, endpointId: string): OnwardFact | undefined {
  const parent = parentTaskId(task);
  if (!parent) return undefined;
  const v = readOnwardReferral(task);
  const reason = REASONED.has(v.state) ? task.statusReason?.coding?.find((c) => c.system === CODE_SYSTEM.statusReason && c.code)?.code : undefined;
  const sentAt = task.authoredOn ?? task.meta?.lastUpdated ?? new Date(0).toISOString();
  return {
    key: referralKey(endpointId, task.id),
    referralKey: referralKey(endpointId, parent),
    communityService: v.service,
    ...(v.provider ? { provider: v.provider } : {}),
    state: v.state,
    progress: onwardProgress(v.state),
    ...(reason ? { reason } : {}),
    sentAt,
    ...(v.state !== 'sent' ? { answeredAt: task.lastModified ?? task.meta?.lastUpdated ?? sentAt } : {}),
    ...(v.sessionsAttended !== undefined ? { sessions: v.sessionsAttended } : {}),
  };
}
