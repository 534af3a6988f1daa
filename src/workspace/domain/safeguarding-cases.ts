import type { Task } from '@medplum/fhirtypes';
import { linkWorkerStatusLabel } from '../../referral-model/status-labels.js';
import { safeguardingConcerns } from '../../referral-model/safeguarding.js';
import { isTerminalTaskStatus } from '../../referral-model/task-status.js';
import { readCase } from './case-state.js';
import { caseName, referralCopy } from './referral-details.js';

/** One safeguarding concern on an open case, as the service manager's list shows it. */
export interface SafeguardingCaseRow {
  /** Task id (the case). */
  id: string;
  name: string;
  nhsNumber?: string;
  source: 'referrer' | 'link-worker';
  /** Who raised it: the referring GP, or the link worker who recorded it. */
  raisedBy?: string;
  raisedAt?: string;
  detail?: string;
  assignee?: string;
  statusText: string;
}

/**
 * Every safeguarding concern on the organisation's open cases (new or in progress), newest first: the one the GP
 * flagged on the referral (the referral copy in the Task) and the one a link worker raised (the Task's
 * `safeguarding-concern` extension, with the case-record entry saying who and when). Pure.
 */
export function safeguardingCases(tasks: readonly Task[], names?: ReadonlyMap<string, string>): SafeguardingCaseRow[] {
  const rows: SafeguardingCaseRow[] = [];
  for (const task of tasks) {
    if (isTerminalTaskStatus(task.status)) continue;
    const c = readCase(task);
    const base = {
      id: c.id,
      name: caseName(task, names),
      ...(c.nhsNumber ? { nhsNumber: c.nhsNumber } : {}),
      ...(c.assignee ? { assignee: c.assignee.display ?? c.assignee.reference } : {}),
      statusText: linkWorkerStatusLabel(c.status),
    };
    const copy = referralCopy(task);
    for (const g of copy ? safeguardingConcerns({ ...copy, id: copy.id ?? c.id }, []) : []) {
      rows.push({ ...base, source: 'referrer', ...(g.raisedBy ? { raisedBy: g.raisedBy } : {}), ...(g.raisedAt ? { raisedAt: g.raisedAt } : {}), ...(g.detail ? { detail: g.detail } : {}) });
    }
    if (c.safeguarding?.flag) {
      const entry = [...c.entries].reverse().find((e) => e.kind === 'safeguarding');
      rows.push({
        ...base,
        source: 'link-worker',
        ...(entry?.author ? { raisedBy: entry.author } : {}),
        ...(entry?.date || c.lastModified ? { raisedAt: entry?.date || c.lastModified } : {}),
        ...(c.safeguarding.detail ? { detail: c.safeguarding.detail } : {}),
      });
    }
  }
  return rows.sort((a, b) => (b.raisedAt ?? '').localeCompare(a.raisedAt ?? ''));
}
