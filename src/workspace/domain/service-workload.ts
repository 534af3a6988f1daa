import type { Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM } from '../../referral-model/codes.js';
import { isOnwardReferral, onwardStateOf, type OnwardState } from '../../referral-model/onward-referral.js';
import { parseReferenceOf } from '../../referral-model/references.js';
import { isTaskStatus } from '../../referral-model/task-status.js';

/**
 * What each community service was asked to do and did (pure): per directory service, the onward referrals it received
 * in the last `days` days and how many it accepted, the person attended, and it declined. Counted from the sub-Tasks
 * as they stand now (src/referral-model/onward-referral.ts).
 */

export const WORKLOAD_DAYS = 90;
export const WORKLOAD_COLUMNS = ['Received', 'Accepted', 'Attended', 'Declined'] as const;

export interface WorkloadRow {
  readonly serviceId: string;
  readonly name: string;
  readonly provider?: string;
  readonly received: number;
  /** The group took the person on: now accepted, attended, did not attend or finished. */
  readonly accepted: number;
  /** The person came at least once: attended or finished. */
  readonly attended: number;
  readonly declined: number;
}

const ACCEPTED: ReadonlySet<OnwardState> = new Set(['accepted', 'attended', 'did-not-attend', 'finished']);
const ATTENDED: ReadonlySet<OnwardState> = new Set(['attended', 'finished']);

/** The directory service an onward referral went to (its `support-offered` input). */
export function onwardServiceOf(t: Task): { id: string; name: string } | undefined {
  for (const i of t.input ?? []) {
    if (!i.type?.coding?.some((c) => c.system === CODE_SYSTEM.prsbSection && c.code === 'support-offered')) continue;
    const ref = parseReferenceOf(i.valueReference?.reference, 'HealthcareService');
    if (ref) return { id: ref.id, name: i.valueReference?.display ?? ref.id };
  }
  return undefined;
}

/** Per service, busiest first: onward referrals sent within `days` days of `now` (withdrawn ones were received too). */
export function serviceWorkload(tasks: readonly Task[], now: Date, days = WORKLOAD_DAYS): WorkloadRow[] {
  const since = now.getTime() - days * 86_400_000;
  const rows = new Map<string, { serviceId: string; name: string; provider?: string; received: number; accepted: number; attended: number; declined: number }>();
  for (const t of tasks) {
    if (!isOnwardReferral(t) || !isTaskStatus(t.status)) continue;
    const sent = Date.parse(t.authoredOn ?? '');
    if (!(sent >= since)) continue;
    const state = onwardStateOf(t.status);
    const service = onwardServiceOf(t);
    if (!service) continue;
    const row = rows.get(service.id) ?? { serviceId: service.id, name: service.name, ...(t.owner?.display ? { provider: t.owner.display } : {}), received: 0, accepted: 0, attended: 0, declined: 0 };
    row.received++;
    if (ACCEPTED.has(state)) row.accepted++;
    if (ATTENDED.has(state)) row.attended++;
    if (state === 'declined') row.declined++;
    rows.set(service.id, row);
  }
  return [...rows.values()].sort((a, b) => b.received - a.received || a.name.localeCompare(b.name));
}

/** The table's counts in column order, for suppression (src/reports/suppression.ts). */
export const workloadCells = (r: WorkloadRow): number[] => [r.received, r.accepted, r.attended, r.declined];
