/**
 * Referral histories as a link-worker system writes them, over HTTP against the sandbox servers of the
 * reconcile test harness: the referral in the EHR, then the Task through its lifecycle at the endpoint.
 */
import type { Bundle, Observation, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION } from '../../src/referral-model/codes.js';
import { create, fhir, plainReferral, taskFor, update, type Harness } from '../../test/integration/reconcile/harness.js';

const out = (code: string) => ({ coding: [{ system: CODE_SYSTEM.taskOutputType, code }] });

export interface Referral {
  readonly srId: string;
  readonly taskId: string;
  /** What the referral must show in the EHR once every version is reconciled. */
  readonly finalSrStatus: 'completed' | 'revoked' | 'active';
}

/**
 * Referral `i`: requested → accepted → in progress (sessions) → completed with an outcome measure and a
 * summary; every 5th is declined instead, every 7th raises a safeguarding concern on the way, every 11th
 * stays in progress.
 */
export async function referralHistory(h: Harness, i: number): Promise<Referral> {
  const sr = await plainReferral(h);
  let task = await create<Task>(h.lwBase, taskFor(h, sr, 0));
  const put = async (over: Partial<Task>) => (task = await update<Task>(h.lwBase, { ...task, ...over, meta: undefined } as Task & { id: string }));
  if (i % 5 === 4) {
    await put({ status: 'rejected', statusReason: { coding: [{ system: CODE_SYSTEM.statusReason, code: 'service-at-capacity' }] } });
    return { srId: sr.id, taskId: task.id!, finalSrStatus: 'revoked' };
  }
  await put({ status: 'accepted' });
  await put({
    status: 'in-progress', businessStatus: { coding: [{ system: CODE_SYSTEM.businessStatus, code: 'plan-agreed' }] },
    ...(i % 7 === 6 ? { extension: [{ url: EXTENSION.safeguardingConcern, extension: [{ url: 'flag', valueBoolean: true }, { url: 'detail', valueString: 'Raised at session 2' }] }] } : {}),
  });
  if (i % 11 === 10) return { srId: sr.id, taskId: task.id!, finalSrStatus: 'active' };
  const o = await create<Observation>(h.lwBase, {
    resourceType: 'Observation', status: 'final', code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'swemwbs' }] },
    effectiveDateTime: '2026-03-01', valueInteger: 7 + (i % 29),
  });
  await put({
    status: 'completed',
    output: [{ type: out('sessions-held'), valueInteger: 3 + (i % 4) }, { type: out('outcome-measure'), valueReference: { reference: `Observation/${o.id}` } }, { type: out('summary'), valueString: `Joined a walking group (${i})` }],
  });
  return { srId: sr.id, taskId: task.id!, finalSrStatus: 'completed' };
}

/** Every version of a Task, oldest first (`_history`). */
export async function versionsOf(h: Harness, taskId: string): Promise<Task[]> {
  const b = (await fhir<Bundle<Task>>(`${h.lwBase}/Task/${taskId}/_history?_count=1000`)).body;
  return (b.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : [])).sort((a, b2) => Number(a.meta?.versionId) - Number(b2.meta?.versionId));
}

/** Referrals whose EHR status is not what their history ends in. */
export function wrongStatus(referrals: readonly Referral[], statusBySr: ReadonlyMap<string, string>): Referral[] {
  return referrals.filter((r) => statusBySr.get(r.srId) !== r.finalSrStatus);
}

/** Runs `fn` over `items` with at most `concurrency` at once. */
export async function pool<T>(items: readonly T[], concurrency: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}
