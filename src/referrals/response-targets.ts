import { priorityToUrgency, type UrgencyCode } from '../fhir/codes.js';

/**
 * How long the link-worker service has to respond to (accept or decline) a referral, per urgency: the one
 * definition behind the workspace's overdue markers and the escalation of unanswered referrals.
 */
export const RESPONSE_TARGET_HOURS: Readonly<Record<UrgencyCode, number>> = Object.freeze({
  routine: 120,
  soon: 72,
  urgent: 24,
});

export type ResponseTargets = Readonly<Record<UrgencyCode, number>>;

/** Hours allowed for a referral with this FHIR priority (Task.priority / ServiceRequest.priority). */
export function responseTargetHours(priority: string | undefined, targets: ResponseTargets = RESPONSE_TARGET_HOURS): number {
  return targets[priorityToUrgency(priority)];
}

/** When a response is due: `authoredOn` + the target for its priority; undefined without a readable authoredOn. */
export function responseDueAt(authoredOn: string | undefined, priority: string | undefined, targets: ResponseTargets = RESPONSE_TARGET_HOURS): Date | undefined {
  const t = authoredOn ? Date.parse(authoredOn) : NaN;
  if (Number.isNaN(t)) return undefined;
  return new Date(t + responseTargetHours(priority, targets) * 3_600_000);
}

/** True once `now` is past the response due time. */
export function isResponseOverdue(authoredOn: string | undefined, priority: string | undefined, now: Date, targets: ResponseTargets = RESPONSE_TARGET_HOURS): boolean {
  const due = responseDueAt(authoredOn, priority, targets);
  return due !== undefined && now.getTime() > due.getTime();
}
