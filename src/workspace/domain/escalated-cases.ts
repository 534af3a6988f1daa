import type { Task } from '@medplum/fhirtypes';
import { displayOf, priorityToUrgency } from '../../referral-model/codes.js';
import { escalationOf } from '../../referral-model/escalation.js';
import { awaitsResponse } from '../../referral-model/response-targets.js';
import { isTaskStatus } from '../../referral-model/task-status.js';
import { caseName } from './referral-details.js';

/** A referral the reconciler escalated (not accepted in time) that still waits for a response. */
export interface EscalatedCaseRow {
  /** Task id (the case). */
  id: string;
  name: string;
  urgency: string;
  referredOn?: string;
  escalatedAt?: string;
  /** Why, in words: "Not accepted within 1 day (the target for an urgent referral)". */
  why: string;
}

/**
 * The organisation's escalated referrals that nobody has accepted or declined yet, longest waiting first: the
 * service manager's list (src/referral-model/escalation.ts marks them). Once someone responds, it leaves the list.
 */
export function escalatedCases(tasks: readonly Task[], names?: ReadonlyMap<string, string>): EscalatedCaseRow[] {
  const rows: EscalatedCaseRow[] = [];
  for (const task of tasks) {
    if (!task.id || !isTaskStatus(task.status) || !awaitsResponse(task.status)) continue;
    const note = escalationOf(task);
    if (!note) continue;
    rows.push({
      id: task.id,
      name: caseName(task, names),
      urgency: displayOf('urgency', priorityToUrgency(task.priority)) ?? 'Routine',
      ...(task.authoredOn ? { referredOn: task.authoredOn } : {}),
      ...(note.time ? { escalatedAt: note.time } : {}),
      why: note.text.split('\n').slice(1).join(' ').trim() || 'Not accepted within its response target',
    });
  }
  return rows.sort((a, b) => (a.referredOn ?? '').localeCompare(b.referredOn ?? ''));
}
