import type { ServiceRequest, Task } from '@medplum/fhirtypes';
import { EXTENSION } from './codes.js';

/**
 * Who made a referral: the GP (from the GP system), the person themselves (the public form), or an agency (its form
 * or its own system through the referral API). One definition for every surface that shows it.
 */
export const REFERRAL_SOURCES = [
  { code: 'gp', display: 'GP' },
  { code: 'self', display: 'Self-referral' },
  { code: 'agency', display: 'Agency' },
] as const;
export type ReferralSource = (typeof REFERRAL_SOURCES)[number]['code'];

/** Task extension (valueCode) naming the source of a referral that does not come from the GP. */
export const REFERRAL_SOURCE_EXTENSION = EXTENSION.referralSource;

/** Local id of the contained referral copy a Task points its focus at when no GP record holds the referral. */
export const CONTAINED_REFERRAL_FOCUS = '#referral';

/** Task extension (valueBoolean) on an agency referral: whether SP Link knows who sent it. */
export const REFERRER_VERIFIED_EXTENSION = EXTENSION.referrerVerified;

/** How an agency referral nobody verified is shown (the public agency form: who sent it is taken on trust). */
export const UNVERIFIED_AGENCY_LABEL = 'Agency (unverified)';

/**
 * The source as every surface shows it. An agency referral is "Agency" only when SP Link knows who sent it
 * (`verified`); otherwise the link worker reads "Agency (unverified)" and checks the referrer before relying on them.
 */
export function referralSourceLabel(source: ReferralSource, verified = true): string {
  if (source === 'agency' && !verified) return UNVERIFIED_AGENCY_LABEL;
  return REFERRAL_SOURCES.find((s) => s.code === source)!.display;
}

/** Whether SP Link knows who made the referral: a GP's and a person's own are; an agency's only when its Task says so. */
export function referrerVerifiedOf(task: Pick<Task, 'extension'>): boolean {
  if (referralSourceOf(task) !== 'agency') return true;
  return task.extension?.find((e) => e.url === REFERRER_VERIFIED_EXTENSION)?.valueBoolean === true;
}

/** A Task's source label (referralSourceLabel), verification included. */
export function referralSourceLabelOf(task: Pick<Task, 'extension'>): string {
  return referralSourceLabel(referralSourceOf(task), referrerVerifiedOf(task));
}

/**
 * Who made the referral as the GP reads it, one line: "Self-referral", "Agency: Fernbridge Housing" (the agency's
 * name from the referral's requester), or undefined for the GP's own.
 */
export function referralSourceText(source: ReferralSource, requesterName?: string): string | undefined {
  if (source === 'gp') return undefined;
  const label = referralSourceLabel(source);
  return source === 'agency' && requesterName ? `${label}: ${requesterName}` : label;
}

/** The source a Task (or the GP record's ServiceRequest) records; one without it came from a GP. */
export function referralSourceOf(task: Pick<Task, 'extension'> | Pick<ServiceRequest, 'extension'>): ReferralSource {
  const code = task.extension?.find((e) => e.url === REFERRAL_SOURCE_EXTENSION)?.valueCode;
  return REFERRAL_SOURCES.some((s) => s.code === code) ? (code as ReferralSource) : 'gp';
}

/**
 * True for a referral no GP record holds (not matched to a patient, or the person did not agree to share with the GP):
 * its Task's focus is the contained copy, so there is nothing to reconcile into a GP record.
 */
export function hasNoGpRecord(task: Pick<Task, 'extension' | 'focus'>): boolean {
  return referralSourceOf(task) !== 'gp' && task.focus?.reference === CONTAINED_REFERRAL_FOCUS;
}
