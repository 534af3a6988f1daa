import { createHash } from 'node:crypto';
import type { Observation, Patient, ServiceRequest, Task } from '@medplum/fhirtypes';
import { parseNote } from '../referral-model/case-notes.js';
import { CODE_SYSTEM, priorityToUrgency } from '../referral-model/codes.js';
import { equalityAnswersOf } from '../referral-model/equality.js';
import { outcomeSeries } from '../referral-model/outcome-series.js';
import { parseReference } from '../referral-model/references.js';
import { socialOutcomesOf } from '../referral-model/social-outcome.js';
import { isNewTaskStatus, isTerminalTaskStatus, isTaskStatus } from '../referral-model/task-status.js';
import { equalityOf, type EqualityFields } from './equality.js';

/**
 * One referral as the reports see it: where it came from, how far it got and when, what it connected the
 * person to, the equality fields, and each outcome measure's first and last score. Built from one Task version
 * and its context, pure; identifiers never enter it (the key is a one-way hash of where the Task lives).
 */
export interface ReferralFact {
  key: string;
  practice: string;
  practiceName: string;
  pcn?: string;
  /** The link-worker service by a stable key (its endpoint id), so renaming it does not split its history. */
  service: string;
  /** Its name when the referral was last seen, for display. */
  serviceName: string;
  source: ReferralSource;
  urgency: string;
  needs: string[];
  referredAt: string;
  status: string;
  reach: Reach;
  endReason?: string;
  /** Only moved forward once set (the store keeps the first). */
  acceptedAt?: string;
  firstContactAt?: string;
  firstSessionAt?: string;
  closedAt?: string;
  sessions: number;
  servicesConnected: string[];
  /** Social outcomes at closing (codes of SP Link's social-outcome CodeSystem). */
  socialOutcomes: string[];
  equality: EqualityFields;
  outcomes: OutcomePair[];
}

/** Who made the referral (ServiceRequest.requester's kind). */
export const REFERRAL_SOURCES = [
  { code: 'gp-practice', display: 'GP practice' },
  { code: 'self-referral', display: 'Self-referral' },
  { code: 'other-organisation', display: 'Other organisation' },
  { code: 'other', display: 'Other or not known' },
] as const;
export type ReferralSource = (typeof REFERRAL_SOURCES)[number]['code'];

/** How far a referral got: the reach categories of the reports. */
export const REACH = [
  { code: 'waiting', display: 'Waiting for a first response' },
  { code: 'in-support', display: 'Accepted, in support' },
  { code: 'completed', display: 'Completed' },
  { code: 'declined', display: 'Declined by the service' },
  { code: 'could-not-contact', display: 'Could not contact' },
  { code: 'did-not-engage', display: 'Did not engage or withdrew' },
  { code: 'cancelled', display: 'Cancelled' },
  { code: 'withdrawn', display: 'Made in error' },
] as const;
export type Reach = (typeof REACH)[number]['code'];

/** A measure's first score and its last one taken on a later day (a pair), or the first alone. */
export interface OutcomePair {
  measure: string;
  before: number;
  beforeAt: string;
  after?: number;
  afterAt?: string;
}

export interface FactContext {
  endpointId: string;
  /** Stable key of the service (the endpoint id); `serviceName` is its current name. */
  serviceKey: string;
  serviceName: string;
  tenantId: string;
  practiceName: string;
  practiceOds?: string;
  pcn?: string;
  imdDecileOf: (postcode: string) => number | undefined;
}

export const referralKey = (endpointId: string, taskId: string): string =>
  createHash('sha256').update(`${endpointId}\u0000${taskId}`).digest('hex').slice(0, 32);

function sourceOf(sr: ServiceRequest): ReferralSource {
  const type = parseReference(sr.requester?.reference)?.resourceType ?? sr.requester?.type;
  if (type === 'Practitioner' || type === 'PractitionerRole') return 'gp-practice';
  if (type === 'Patient' || type === 'RelatedPerson') return 'self-referral';
  if (type === 'Organization') return 'other-organisation';
  return 'other';
}

const PATIENT_ENDED = new Set(['patient-declined', 'patient-withdrew']);

function reachOf(task: Task): { reach: Reach; endReason?: string } {
  const status = isTaskStatus(task.status) ? task.status : 'requested';
  const reason = task.statusReason?.coding?.find((c) => c.system === CODE_SYSTEM.statusReason)?.code;
  const business = task.businessStatus?.coding?.find((c) => c.system === CODE_SYSTEM.businessStatus)?.code;
  const withReason = (reach: Reach) => (reason ? { reach, endReason: reason } : { reach });
  if (status === 'completed') return { reach: 'completed' };
  if (status === 'entered-in-error') return { reach: 'withdrawn' };
  if (status === 'rejected') return withReason(reason && PATIENT_ENDED.has(reason) ? 'did-not-engage' : 'declined');
  if (status === 'failed') return withReason(reason === 'could-not-contact' || business === 'could-not-contact' ? 'could-not-contact' : 'did-not-engage');
  if (status === 'cancelled') return withReason(reason && PATIENT_ENDED.has(reason) ? 'did-not-engage' : 'cancelled');
  return { reach: isNewTaskStatus(status) ? 'waiting' : 'in-support' };
}

const day = (s: string | undefined) => (s && /^\d{4}-\d{2}-\d{2}/.test(s) ? s : undefined);
const earliest = (xs: (string | undefined)[]) => xs.filter((x): x is string => !!x).sort()[0];

/** The report fact of a referral from its latest Task version, its ServiceRequest, the person and their outcome measures. */
export function referralFact(task: Task & { id: string }, sr: ServiceRequest, patient: Patient | undefined, observations: readonly Observation[], ctx: FactContext): ReferralFact {
  const referredAt = sr.authoredOn ?? task.authoredOn ?? task.meta?.lastUpdated ?? new Date(0).toISOString();
  const changedAt = task.lastModified ?? task.meta?.lastUpdated ?? referredAt;
  const status = isTaskStatus(task.status) ? task.status : 'requested';
  const entries = (task.note ?? []).map(parseNote).filter((e) => e !== undefined);
  const sessions = entries.filter((e) => e.kind === 'session');
  const contacts = entries.filter((e) => e.kind === 'contact-attempt' && e.outcome === 'successful');
  const outputCode = (o: NonNullable<Task['output']>[number]) => o.type?.coding?.find((c) => c.system === CODE_SYSTEM.taskOutputType)?.code;
  const held = (task.output ?? []).filter((o) => outputCode(o) === 'sessions-held').map((o) => o.valueInteger ?? 0);
  const services = (task.output ?? [])
    .filter((o) => outputCode(o) === 'activity-referred')
    .map((o) => o.valueString ?? o.valueReference?.display)
    .filter((s): s is string => !!s);
  const firstSessionAt = earliest(sessions.map((s) => day(s.date)));
  const outcomes: OutcomePair[] = outcomeSeries([...observations]).flatMap((s) => {
    const first = s.points[0];
    if (!first) return [];
    const last = s.points[s.points.length - 1]!;
    const later = last.at.slice(0, 10) > first.at.slice(0, 10);
    return [{ measure: s.key, before: first.value, beforeAt: first.at, ...(later ? { after: last.value, afterAt: last.at } : {}) }];
  });
  const fact: ReferralFact = {
    key: referralKey(ctx.endpointId, task.id),
    practice: ctx.practiceOds ?? ctx.tenantId,
    practiceName: ctx.practiceName,
    ...(ctx.pcn ? { pcn: ctx.pcn } : {}),
    service: ctx.serviceKey,
    serviceName: ctx.serviceName,
    source: sourceOf(sr),
    urgency: priorityToUrgency(sr.priority ?? task.priority),
    needs: (sr.reasonCode ?? []).flatMap((cc) => cc.coding?.filter((c) => c.system === CODE_SYSTEM.need && c.code).map((c) => c.code!) ?? []),
    referredAt,
    status,
    ...reachOf(task),
    sessions: Math.max(sessions.length, ...held, 0),
    servicesConnected: [...new Set(services)],
    socialOutcomes: socialOutcomesOf(task),
    // The GP record first; what the GP asked when referring fills what it lacks.
    equality: equalityOf(patient, referredAt.slice(0, 10), ctx.imdDecileOf, equalityAnswersOf(sr)),
    outcomes,
  };
  // Taken on: any status past the new ones but a refusal or an error (the store keeps the first time seen).
  if (!isNewTaskStatus(status) && status !== 'rejected' && status !== 'entered-in-error') fact.acceptedAt = changedAt;
  const contact = earliest([...contacts.map((c) => day(c.date)), firstSessionAt]);
  if (contact) fact.firstContactAt = contact;
  if (firstSessionAt) fact.firstSessionAt = firstSessionAt;
  // When support ended (a follow-up measure recorded months later changes the Task, not that).
  if (isTerminalTaskStatus(status)) fact.closedAt = task.executionPeriod?.end ?? changedAt;
  return fact;
}
