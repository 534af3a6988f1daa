import type { Task } from '@medplum/fhirtypes';
import { priorityToUrgency, type UrgencyCode } from './codes.js';

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

/** The targets in force: the configured ones (`responseTargetHours`), the defaults for any urgency left out. */
export function responseTargets(configured?: Partial<Record<UrgencyCode, number | undefined>>): ResponseTargets {
  const out = { ...RESPONSE_TARGET_HOURS };
  for (const k of Object.keys(out) as UrgencyCode[]) {
    const v = configured?.[k];
    if (v !== undefined) out[k] = v;
  }
  return Object.freeze(out);
}

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

/**
 * Task statuses that still wait for the service's first response. Anything else (accepted, in progress,
 * paused, declined, finished) is a response.
 */
const AWAITING: ReadonlySet<Task['status']> = new Set<Task['status']>(['draft', 'requested', 'received']);

export const awaitsResponse = (taskStatus: Task['status']): boolean => AWAITING.has(taskStatus);

/** True when the Task still awaits a response and its due time has passed (what escalates and what the GP sees). */
export function isUnansweredPastTarget(
  referral: { authoredOn: string | undefined; priority: string | undefined; taskStatus: Task['status'] },
  now: Date,
  targets: ResponseTargets = RESPONSE_TARGET_HOURS,
): boolean {
  return awaitsResponse(referral.taskStatus) && isResponseOverdue(referral.authoredOn, referral.priority, now, targets);
}

/** "1 day" / "5 days" / "12 hours": a target as people say it. */
export function describeTarget(hours: number): string {
  if (hours % 24 === 0) return `${hours / 24} day${hours === 24 ? '' : 's'}`;
  return `${hours} hour${hours === 1 ? '' : 's'}`;
}
