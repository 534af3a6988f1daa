import type { Annotation, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM } from '../../referral-model/codes.js';
import { addMonths, londonDateOf } from '../../time/london.js';

/**
 * Follow-up after completion: at set intervals after support ends (the workspace's `followUpMonths`, by default 3
 * and 6 months), the link worker repeats the person's outcome measures, so the GP and the reports see whether
 * the change lasted. A follow-up is due from its date until a measure is recorded for it; recording one writes a
 * case-record entry headed `Follow-up at N months`, which is how it is known to be done, from the Task alone. Pure.
 */

/** Heading of the case-record entry that records a follow-up as done. */
export const followUpHeading = (months: number) => `Follow-up at ${months} months`;
const FOLLOW_UP = /^Follow-up at (\d{1,2}) months$/;

export interface FollowUp {
  readonly months: number;
  /** Europe/London calendar date (YYYY-MM-DD) from which it is due. */
  readonly dueOn: string;
  /** When a measure was recorded for it, if one was. */
  readonly doneOn?: string;
}

/** The day support completed: Task.executionPeriod.end, else the last change of a completed Task. */
export function completedOn(task: Pick<Task, 'status' | 'executionPeriod' | 'lastModified' | 'meta' | 'businessStatus'>): string | undefined {
  if (task.status !== 'completed') return undefined;
  // Signposted only (never supported, never measured): nothing to follow up.
  if (task.businessStatus?.coding?.some((c) => c.system === CODE_SYSTEM.businessStatus && c.code === 'signposted')) return undefined;
  const at = task.executionPeriod?.end ?? task.lastModified ?? task.meta?.lastUpdated;
  return at ? londonDateOf(at) : undefined;
}

const doneMonths = (notes: readonly Annotation[]) => {
  const out = new Map<number, string>();
  for (const n of notes) {
    const m = FOLLOW_UP.exec(n.text.split('\n')[0] ?? '');
    if (m && !out.has(Number(m[1]))) out.set(Number(m[1]), n.time ?? '');
  }
  return out;
};

/** Every follow-up of a completed referral Task, with its due date and whether it is done; none for any other Task. */
export function followUpsOf(task: Pick<Task, 'status' | 'executionPeriod' | 'lastModified' | 'meta' | 'note' | 'businessStatus'>, months: readonly number[]): FollowUp[] {
  const end = completedOn(task);
  if (!end) return [];
  const done = doneMonths(task.note ?? []);
  return [...new Set(months)].sort((a, b) => a - b).map((n) => {
    const doneAt = done.get(n);
    return { months: n, dueOn: addMonths(end, n), ...(doneAt !== undefined ? { doneOn: londonDateOf(doneAt) ?? doneAt } : {}) };
  });
}

/**
 * The follow-up to do now (`today`, Europe/London): the latest one that has fallen due and is not done. An earlier
 * one missed is overtaken by a later one (a 3-month follow-up not done by 6 months is the 6-month one).
 */
export function followUpDue(task: Parameters<typeof followUpsOf>[0], today: string, months: readonly number[]): FollowUp | undefined {
  const due = followUpsOf(task, months).filter((f) => f.dueOn <= today);
  const latest = due[due.length - 1];
  return latest && latest.doneOn === undefined ? latest : undefined;
}

/**
 * The follow-up a completed case may record measures for today: the one due, or one recorded today (so the other
 * measures of the same follow-up can be entered after the first).
 */
export function followUpOpen(task: Parameters<typeof followUpsOf>[0], today: string, months: readonly number[]): FollowUp | undefined {
  return followUpDue(task, today, months) ?? followUpsOf(task, months).find((f) => f.doneOn === today);
}
