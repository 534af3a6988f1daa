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

export function referralSourceLabel(source: ReferralSource): string {
  return REFERRAL_SOURCES.find((s) => s.code === source)!.display;
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
