import type { Task } from '@medplum/fhirtypes';
import { displayOf, priorityToUrgency, type UrgencyCode } from '../../referral-model/codes.js';
import { linkWorkerStatusLabel } from '../../referral-model/status-labels.js';
import { isNewTaskStatus, isTaskStatus, isTerminalTaskStatus } from '../../referral-model/task-status.js';
import { responseDueAt } from '../../referral-model/response-targets.js';
import { referralSourceLabelOf, referralSourceOf, type ReferralSource } from '../../referral-model/referral-source.js';
import { londonDate, londonDaysAgo } from '../../time/london.js';
import { followUpDue } from './follow-up.js';
import { readCase } from './case-state.js';
import { caseName } from './referral-details.js';

export const CASELOAD_VIEWS = ['new', 'mine', 'open', 'follow-up', 'closed', 'all'] as const;
export type CaseloadView = (typeof CASELOAD_VIEWS)[number];

export interface CaseloadQuery {
  view: CaseloadView;
  /** Name (any part, case-insensitive) or NHS number (spaces ignored). */
  q?: string;
  /** Task.status to narrow to. */
  status?: string;
}

export interface CaseRow {
  id: string;
  name: string;
  nhsNumber?: string;
  /** Who made the referral (GP, self, agency). */
  source: ReferralSource;
  /** The source as shown ("Agency (unverified)" for an agency nobody verified). */
  sourceLabel: string;
  status: Task['status'];
  statusText: string;
  businessStatus?: string;
  assignee?: string;
  authoredOn?: string;
  /** Calendar days (Europe/London) since the referral was made. */
  ageDays?: number;
  urgency: UrgencyCode;
  urgent: boolean;
  /** A new referral not answered by its response target (referral-model/response-targets.ts): when it was due. */
  overdueSince?: string;
  safeguarding: boolean;
  /** A completed case whose follow-up is due (follow-up.ts): how many months after completion, and since when. */
  followUpDue?: { months: number; dueOn: string };
}

export function parseCaseloadQuery(raw: Record<string, unknown>): CaseloadQuery {
  const view = (CASELOAD_VIEWS as readonly string[]).includes(String(raw.view)) ? (raw.view as CaseloadView) : 'new';
  const q = typeof raw.q === 'string' && raw.q.trim() ? raw.q.trim().slice(0, 100) : undefined;
  const status = typeof raw.status === 'string' && isTaskStatus(raw.status) ? raw.status : undefined;
  return { view, q, status };
}

function matches(row: CaseRow, q: string): boolean {
  const digits = q.replace(/\s+/g, '');
  if (/^\d{3,10}$/.test(digits)) return (row.nhsNumber ?? '').replace(/\s+/g, '').includes(digits);
  const words = q.toLowerCase().split(/\s+/);
  const name = row.name.toLowerCase();
  return words.every((w) => name.includes(w));
}

/** When a new referral's response was due, if that time has passed (accepting or declining answers it). */
export function overdueSince(task: Task, now: Date): string | undefined {
  if (!isNewTaskStatus(task.status)) return undefined;
  const due = responseDueAt(task.authoredOn, task.priority);
  return due && now.getTime() > due.getTime() ? due.toISOString() : undefined;
}

export function toRow(task: Task, now: Date, names?: ReadonlyMap<string, string>, followUpMonths: readonly number[] = []): CaseRow {
  const c = readCase(task);
  const urgency = priorityToUrgency(task.priority);
  const due = followUpDue(task, londonDate(now), followUpMonths);
  return {
    id: c.id,
    name: caseName(task, names),
    nhsNumber: c.nhsNumber,
    source: referralSourceOf(task),
    sourceLabel: referralSourceLabelOf(task),
    status: c.status,
    statusText: linkWorkerStatusLabel(c.status),
    businessStatus: c.businessStatus ? displayOf('businessStatus', c.businessStatus) : undefined,
    assignee: c.assignee?.display ?? c.assignee?.reference,
    authoredOn: c.authoredOn,
    ageDays: c.authoredOn ? londonDaysAgo(c.authoredOn, now) : undefined,
    urgency,
    urgent: urgency !== 'routine',
    overdueSince: overdueSince(task, now),
    safeguarding: c.safeguarding?.flag === true,
    ...(due ? { followUpDue: { months: due.months, dueOn: due.dueOn } } : {}),
  };
}

/** The caseload rows for one view, oldest referral first (the longest wait is the most pressing). */
/**
 * `actorRole`: the user's PractitionerRole (`PractitionerRole/…`); "mine" = cases it owns.
 * `names`: display names by Task.for.reference, for Tasks that carry no demographics.
 */
/** `followUpMonths`: the workspace's follow-up intervals (config); the "follow-up" view lists completed cases with one due. */
export function caseload(tasks: Task[], actorRole: string | undefined, query: CaseloadQuery, now: Date, names?: ReadonlyMap<string, string>, followUpMonths: readonly number[] = []): CaseRow[] {
  const today = londonDate(now);
  const inView = (t: Task) => {
    switch (query.view) {
      case 'new':
        return isNewTaskStatus(t.status);
      case 'mine':
        return actorRole !== undefined && readCase(t).assignee?.reference === actorRole && !isTerminalTaskStatus(t.status);
      case 'open':
        return !isNewTaskStatus(t.status) && !isTerminalTaskStatus(t.status);
      case 'follow-up':
        return followUpDue(t, today, followUpMonths) !== undefined;
      case 'closed':
        return isTerminalTaskStatus(t.status);
      case 'all':
        return true;
      default:
        return query.view satisfies never;
    }
  };
  return tasks
    .filter(inView)
    .filter((t) => !query.status || t.status === query.status)
    .map((t) => toRow(t, now, names, followUpMonths))
    .filter((r) => !query.q || matches(r, query.q))
    .sort((a, b) => rank(a) - rank(b) || (a.authoredOn ?? '').localeCompare(b.authoredOn ?? ''));
}

/** Overdue first, then by urgency: the most pressing work at the top. */
function rank(r: CaseRow): number {
  return (r.overdueSince ? 0 : 3) + (r.urgency === 'urgent' ? 0 : r.urgency === 'soon' ? 1 : 2);
}

export interface CapacityRow {
  reference: string;
  name: string;
  open: number;
  inProgress: number;
  safeguarding: number;
}

/** Open cases per link worker (manager view), plus how many new referrals wait for anyone. */
export function capacity(tasks: Task[], staff: readonly { reference: string; name: string }[]): { rows: CapacityRow[]; unassignedNew: number; unassignedOpen: number } {
  const rows = new Map<string, CapacityRow>(staff.map((s) => [s.reference, { reference: s.reference, name: s.name, open: 0, inProgress: 0, safeguarding: 0 }]));
  let unassignedNew = 0;
  let unassignedOpen = 0;
  for (const t of tasks) {
    if (isTerminalTaskStatus(t.status)) continue;
    const c = readCase(t);
    if (!c.assignee) {
      if (isNewTaskStatus(t.status)) unassignedNew++;
      else unassignedOpen++;
      continue;
    }
    let row = rows.get(c.assignee.reference);
    if (!row) {
      row = { reference: c.assignee.reference, name: c.assignee.display ?? c.assignee.reference, open: 0, inProgress: 0, safeguarding: 0 };
      rows.set(c.assignee.reference, row);
    }
    row.open++;
    if (t.status === 'in-progress') row.inProgress++;
    if (c.safeguarding?.flag) row.safeguarding++;
  }
  return { rows: [...rows.values()].sort((a, b) => b.open - a.open || a.name.localeCompare(b.name)), unassignedNew, unassignedOpen };
}
