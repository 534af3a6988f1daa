/**
 * Dropped notifications: rest-hook notifications lost (10 %) or delayed and so reordered (5 %) between the
 * link-worker system and SP Link, with the reconciler running as deployed (notifications plus its poll
 * schedule). Every change must still reach the EHR, once; a dropped one within about one poll interval.
 */
import type { Resource, ServiceRequest, Subscription, Task } from '@medplum/fhirtypes';
import { all, create, ENDPOINT, plainReferral, taskFor, update, type Harness, type HarnessOptions } from '../../test/integration/reconcile/harness.js';
import { CODE_SYSTEM } from '../../src/referral-model/codes.js';
import { ehrEffects } from './ehr-effects.js';
import { seeded } from '../../src/sandbox/demo/seeded-random.js';
import { percentile } from './random.js';

export interface DroppedFigures {
  referrals: number;
  notifications: number;
  dropped: number;
  delayed: number;
  /** Seconds from a completion whose notification was dropped to the referral showing completed (p100). */
  detectedWithinS: number;
  lost: number;
  duplicates: number;
}

/** Harness options for this scenario: notifications on, the poll schedule running, skew as deployed. */
export function droppedHarnessOptions(pollSchedule: string, onEhrChange: (r: Resource) => void): HarnessOptions {
  return { subscriptions: true, ctx: { background: true }, reconcile: { pollSchedule, skewSeconds: 30 }, onEhrChange };
}

/**
 * `visibleAt` is filled by the harness's EHR change hook (droppedHarnessOptions). Referral `i`'s Task is
 * created (requested) and then completed; notification n is dropped when n % 10 == 3 and delayed by up to
 * `maxDelayMs` when n % 20 == 7 (10 % and 5 %, spread over both kinds of change).
 */
export async function measureDropped(h: Harness, visibleAt: Map<string, number>, referrals: number, o: { maxDelayMs: number; waitMs: number }): Promise<DroppedFigures> {
  const random = seeded(11);
  let n = 0;
  const droppedTasks = new Set<string>();
  let dropped = 0;
  let delayed = 0;
  h.notificationGate = (body) => {
    const i = n++;
    if (i % 10 === 3) {
      dropped++;
      const t = body as Task | undefined;
      if (t?.id && t.status === 'completed') droppedTasks.add(t.id);
      return 'drop';
    }
    if (i % 20 === 7) {
      delayed++;
      return Math.round(200 + random() * o.maxDelayMs);
    }
    return 'deliver';
  };
  // The reconciler's own upkeep requests the Subscription on its first scheduled tick (calling it here as well
  // would race that tick and could leave two Subscriptions).
  const until = performance.now() + 120_000;
  while (!(await all<Subscription>(h.lwBase, 'Subscription')).some((s) => s.status === 'active')) {
    if (performance.now() > until) throw new Error('the rest-hook Subscription never became active');
    await new Promise((r) => setTimeout(r, 200));
  }

  // Every Task is created (requested) and its creation reconciled before any is completed, as a link worker takes
  // days, not milliseconds, to complete a referral: the completion is then a change of its own for the
  // reconciler, whichever of its notifications is dropped or delayed.
  const byTask = new Map<string, string>();
  const tasks: (Task & { id: string })[] = [];
  for (let i = 0; i < referrals; i++) {
    const sr = await plainReferral(h);
    const t = await create<Task>(h.lwBase, taskFor(h, sr, 0));
    byTask.set(t.id, sr.id);
    tasks.push(t);
    await h.lw.idle();
  }
  await creationsReconciled(h, [...byTask.keys()], o.waitMs);

  const changedAt = new Map<string, number>();
  for (const [i, t] of tasks.entries()) {
    await update<Task>(h.lwBase, {
      ...t, meta: undefined, status: 'completed',
      output: [{ type: { coding: [{ system: CODE_SYSTEM.taskOutputType, code: 'summary' }] }, valueString: `Joined a choir (${i})` }],
    } as Task & { id: string });
    changedAt.set(byTask.get(t.id)!, performance.now());
    await h.lw.idle();
  }
  const deadline = performance.now() + o.waitMs;
  const done = () => [...changedAt.keys()].every((id) => visibleAt.has(id));
  while (!done() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  // Delayed notifications still arriving after everything is visible must not write anything twice.
  await new Promise((r) => setTimeout(r, o.maxDelayMs + 500));
  await h.reconciler.idle();

  const e = await ehrEffects(h.ehrBase);
  const lost = [...changedAt.keys()].filter((id) => e.statusBySr.get(id) !== 'completed').length;
  const detect: number[] = [];
  for (const [taskId, srId] of byTask) {
    if (droppedTasks.has(taskId) && visibleAt.has(srId)) detect.push((visibleAt.get(srId)! - changedAt.get(srId)!) / 1000);
  }
  return { referrals, notifications: n, dropped, delayed, detectedWithinS: percentile(detect, 100), lost, duplicates: e.duplicates };
}

/** Waits until a version of each Task is durable in the reconciler's store (by notification or by poll). */
async function creationsReconciled(h: Harness, taskIds: readonly string[], waitMs: number): Promise<void> {
  const until = performance.now() + waitMs;
  for (;;) {
    const { rows } = await h.db.query<{ n: string }>(
      'SELECT count(DISTINCT task_id) AS n FROM reconcile_applied_versions WHERE endpoint_id = $1 AND task_id = ANY($2::text[])', [ENDPOINT, taskIds],
    );
    if (Number(rows[0]!.n) === taskIds.length) return;
    if (performance.now() > until) throw new Error(`${taskIds.length - Number(rows[0]!.n)} of ${taskIds.length} Task creations not reconciled after ${waitMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The EHR change hook for measureDropped: when each referral first shows completed. */
export function completionTimes(): { visibleAt: Map<string, number>; onEhrChange: (r: Resource) => void } {
  const visibleAt = new Map<string, number>();
  return {
    visibleAt,
    onEhrChange: (r) => {
      if (r.resourceType === 'ServiceRequest' && (r as ServiceRequest).status === 'completed' && r.id && !visibleAt.has(r.id)) visibleAt.set(r.id, performance.now());
    },
  };
}
