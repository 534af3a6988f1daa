import type { CodeableConcept, Condition, Encounter, Observation, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, IDENTIFIER_SYSTEM, NEEDS, PROFILE, SNOMED, SOCIAL_NEED_FINDINGS, SYSTEM, type NeedCode } from '../referral-model/codes.js';
import { isTaskStatus, taskPhase } from '../referral-model/task-status.js';
import { londonDateOf } from '../time/london.js';

/**
 * What the prompt needs to know about a patient, read from the GP record's resources (prefetch or queries): the
 * social needs coded, the encounters, and the patient's social prescribing referrals. Pure; liberal in what it
 * reads (any server's Conditions and Observations), and when a record is ambiguous it errs towards "a referral is
 * open", so a GP is never prompted about someone already referred.
 */

/** A code that means a need: a system|code pair and the SP Link need it stands for. */
export interface NeedCodeEntry {
  readonly system: string;
  readonly code: string;
  readonly need: NeedCode;
}

export interface CodedNeed {
  readonly need: NeedCode;
  /** What the record calls it (the coding's display or the concept's text), for the card's one sentence. */
  readonly label: string;
  /** Calendar date it was recorded (Europe/London), when the record says. */
  readonly recorded?: string;
}

export type ReferralState = 'open' | 'completed' | 'ended';

export interface ReferralFact {
  readonly state: ReferralState;
  /** Calendar date the referral reached its state (completed or ended), or was made (open); absent if unknown. */
  readonly since?: string;
}

export interface PatientFacts {
  /** Social needs coded in the record, most recent first. */
  readonly needs: readonly CodedNeed[];
  /** Calendar dates of the patient's encounters (one per encounter, cancelled and erroneous ones left out). */
  readonly encounterDates: readonly string[];
  readonly referrals: readonly ReferralFact[];
}

/** Every code SP Link recognises as a social need: the verified SNOMED CT findings and SP Link's own need codes. */
export const DEFAULT_NEED_CODES: readonly NeedCodeEntry[] = [
  ...SOCIAL_NEED_FINDINGS.map((f) => ({ system: SYSTEM.snomed, code: f.code, need: f.need })),
  ...NEEDS.filter((n) => n.code !== 'other').map((n) => ({ system: CODE_SYSTEM.need, code: n.code, need: n.code })),
];

const key = (system: string | undefined, code: string | undefined) => `${system ?? ''}|${code ?? ''}`;

export function needCodeIndex(entries: readonly NeedCodeEntry[]): ReadonlyMap<string, NeedCode> {
  return new Map(entries.map((e) => [key(e.system, e.code), e.need]));
}

function needOf(concept: CodeableConcept | undefined, index: ReadonlyMap<string, NeedCode>): CodedNeed | undefined {
  for (const c of concept?.coding ?? []) {
    const need = index.get(key(c.system, c.code));
    if (need) return { need, label: c.display ?? concept?.text ?? NEEDS.find((n) => n.code === need)!.display };
  }
  return undefined;
}

const hasCode = (concept: CodeableConcept | undefined, system: string, codes: readonly string[]) =>
  (concept?.coding ?? []).some((c) => c.system === system && c.code !== undefined && codes.includes(c.code));

const INACTIVE_CONDITION = ['inactive', 'remission', 'resolved'];
const NOT_A_CONDITION = ['refuted', 'entered-in-error'];
const OBSERVATION_COUNTS = ['preliminary', 'final', 'amended', 'corrected'];

function conditionNeed(c: Condition, index: ReadonlyMap<string, NeedCode>): CodedNeed | undefined {
  if (hasCode(c.clinicalStatus, 'http://terminology.hl7.org/CodeSystem/condition-clinical', INACTIVE_CONDITION)) return undefined;
  if (hasCode(c.verificationStatus, 'http://terminology.hl7.org/CodeSystem/condition-ver-status', NOT_A_CONDITION)) return undefined;
  if (c.abatementDateTime !== undefined || c.abatementPeriod?.end !== undefined || c.abatementString !== undefined) return undefined;
  const need = needOf(c.code, index);
  if (!need) return undefined;
  const recorded = dateOf(c.recordedDate ?? c.onsetDateTime ?? c.meta?.lastUpdated);
  return recorded ? { ...need, recorded } : need;
}

function observationNeed(o: Observation, index: ReadonlyMap<string, NeedCode>, oldest: string): CodedNeed | undefined {
  if (!OBSERVATION_COUNTS.includes(o.status)) return undefined;
  // A screening answer of "no" (Gravity's assessment pattern: the finding as code, valueBoolean false) is not a need.
  if (o.valueBoolean === false) return undefined;
  const need = needOf(o.code, index) ?? needOf(o.valueCodeableConcept, index);
  if (!need) return undefined;
  const recorded = dateOf(o.effectiveDateTime ?? o.effectivePeriod?.start ?? o.issued ?? o.meta?.lastUpdated);
  // An observation is a moment: one older than the look-back no longer says the need is there.
  if (recorded === undefined || recorded < oldest) return undefined;
  return { ...need, recorded };
}

const dateOf = (v: string | undefined) => (v === undefined ? undefined : londonDateOf(v));

const isSpLinkReferral = (sr: ServiceRequest) =>
  (sr.category ?? []).some((c) => hasCode(c, SYSTEM.snomed, [SNOMED.referralToSocialPrescribing.code])) ||
  (sr.identifier ?? []).some((i) => i.system === IDENTIFIER_SYSTEM.referral) ||
  (sr.meta?.profile ?? []).includes(PROFILE.referral);

function serviceRequestFact(sr: ServiceRequest): ReferralFact | undefined {
  if (!isSpLinkReferral(sr)) return undefined;
  if (sr.status === 'entered-in-error') return undefined;
  if (sr.status === 'completed') return withSince('completed', sr.meta?.lastUpdated ?? sr.authoredOn);
  if (sr.status === 'revoked') return withSince('ended', sr.meta?.lastUpdated ?? sr.authoredOn);
  // draft, active, on-hold and unknown: the referral may still be in hand, so it counts as open.
  return withSince('open', sr.authoredOn);
}

function taskFact(t: Task): ReferralFact | undefined {
  if (!isTaskStatus(t.status)) return { state: 'open' };
  if (t.status === 'entered-in-error') return undefined;
  if (taskPhase(t.status) !== 'terminal') return withSince('open', t.authoredOn);
  const at = t.executionPeriod?.end ?? t.lastModified ?? t.meta?.lastUpdated;
  return withSince(t.status === 'completed' ? 'completed' : 'ended', at);
}

function withSince(state: ReferralState, at: string | undefined): ReferralFact {
  const since = dateOf(at);
  return since ? { state, since } : { state };
}

function encounterDate(e: Encounter): string | undefined {
  if (e.status === 'cancelled' || e.status === 'entered-in-error' || e.status === 'planned') return undefined;
  return dateOf(e.period?.start ?? e.meta?.lastUpdated);
}

export interface FactsOptions {
  readonly needCodes: ReadonlyMap<string, NeedCode>;
  /** Observations recorded before this calendar date no longer count as a need. */
  readonly observationsSince: string;
}

/**
 * The facts from whatever resources the record gave (any order, any mix, unknown types ignored). Referral
 * ServiceRequests are recognised by SP Link's category, identifier or profile; Tasks are taken as given (the
 * query that fetched them chose SP Link's).
 */
export function readFacts(resources: readonly Resource[], opts: FactsOptions): PatientFacts {
  const needs: CodedNeed[] = [];
  const encounterDates: string[] = [];
  const referrals: ReferralFact[] = [];
  for (const r of resources) {
    if (r.resourceType === 'Condition') push(needs, conditionNeed(r, opts.needCodes));
    else if (r.resourceType === 'Observation') push(needs, observationNeed(r, opts.needCodes, opts.observationsSince));
    else if (r.resourceType === 'Encounter') push(encounterDates, encounterDate(r));
    else if (r.resourceType === 'ServiceRequest') push(referrals, serviceRequestFact(r));
    else if (r.resourceType === 'Task') push(referrals, taskFact(r));
  }
  needs.sort((a, b) => (b.recorded ?? '').localeCompare(a.recorded ?? ''));
  return { needs, encounterDates, referrals };
}

function push<T>(list: T[], item: T | undefined): void {
  if (item !== undefined) list.push(item);
}
