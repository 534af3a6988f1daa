import type { Encounter, Patient } from '@medplum/fhirtypes';
import { addMonths, londonDateOf } from '../time/london.js';

/**
 * GP demand, pure: a person's GP appointments in the 6 months before and the 6 months after their referral, from the
 * GP record's Encounters. The day of referral counts in neither window; encounters of hospital classes (an
 * admission, A&E) are not GP appointments; nor is one that was only planned, was cancelled or was entered in error.
 * A person who left the practice or died is missing: their record no longer says how often they saw their GP.
 */

export const GP_DEMAND_MONTHS = 6;

/** Encounter classes (v3 ActCode) that are hospital care, not an appointment with the practice. */
export const HOSPITAL_CLASSES: ReadonlySet<string> = new Set(['IMP', 'EMER', 'ACUTE', 'NONAC', 'OBSENC', 'PRENC', 'SS']);
const NOT_HELD: ReadonlySet<string> = new Set(['planned', 'cancelled', 'entered-in-error']);

/** The two windows of a referral day (calendar dates in England, both ends inclusive). */
export interface GpDemandWindows {
  before: { from: string; to: string };
  after: { from: string; to: string };
}

const dayAfter = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** Before: from the same day 6 months earlier to the day before referral; after: the day after to 6 months on. */
export function gpDemandWindows(referralDay: string): GpDemandWindows {
  return {
    before: { from: addMonths(referralDay, -GP_DEMAND_MONTHS), to: dayAfter(referralDay, -1) },
    after: { from: dayAfter(referralDay, 1), to: addMonths(referralDay, GP_DEMAND_MONTHS) },
  };
}

/** The first day on which a referral's appointments can be counted: the day after its after-window closes. */
export const gpDemandDueOn = (referralDay: string): string => dayAfter(gpDemandWindows(referralDay).after.to, 1);

/** Whether an encounter is a GP appointment that took place (not hospital care, not planned or cancelled). */
export function isGpAppointment(e: Pick<Encounter, 'class' | 'status'>): boolean {
  if (NOT_HELD.has(e.status)) return false;
  return !(e.class?.code && HOSPITAL_CLASSES.has(e.class.code));
}

export type GpDemandMissing = 'died' | 'left-practice' | 'no-record';

export type GpDemandCount =
  | { kind: 'counted'; before: number; after: number }
  | { kind: 'missing'; reason: GpDemandMissing };

/**
 * Counts a person's appointments around a referral day. `patient` undefined: the record is gone from the practice's
 * system. A death recorded on any date (or without one) makes the person missing, as does an inactive record (the
 * person left the practice).
 */
export function countGpDemand(referralDay: string, patient: Pick<Patient, 'active' | 'deceasedBoolean' | 'deceasedDateTime'> | undefined, encounters: readonly Pick<Encounter, 'class' | 'status' | 'period'>[]): GpDemandCount {
  if (!patient) return { kind: 'missing', reason: 'no-record' };
  if (patient.deceasedBoolean === true || patient.deceasedDateTime !== undefined) return { kind: 'missing', reason: 'died' };
  if (patient.active === false) return { kind: 'missing', reason: 'left-practice' };
  const w = gpDemandWindows(referralDay);
  let before = 0;
  let after = 0;
  for (const e of encounters) {
    if (!isGpAppointment(e)) continue;
    const at = e.period?.start ?? e.period?.end;
    const day = at === undefined ? undefined : londonDateOf(at);
    if (day === undefined) continue;
    if (day >= w.before.from && day <= w.before.to) before++;
    else if (day >= w.after.from && day <= w.after.to) after++;
  }
  return { kind: 'counted', before, after };
}
