/**
 * Scale-out: reconcilers as processes of their own on one PostgreSQL schema drain the same backlog of referral
 * histories. Once with one instance left alone, once with several of which one at a time is SIGKILLed and
 * restarted throughout. An endpoint is reconciled by one lease holder at a time, so more instances add
 * availability (a survivor takes the lease over), not speed on one endpoint; the throughput ratio says what the
 * kills and restarts cost. Nothing may be lost or written twice.
 */
import type { Communication, Observation, ServiceRequest } from '@medplum/fhirtypes';
import { listDeadLetters } from '../../src/reconcile/store/dead-letters.js';
import { all, type Harness } from '../../test/integration/reconcile/harness.js';
import { ehrEffects } from './ehr-effects.js';
import { pool, referralHistory, wrongStatus, type Referral } from './histories.js';
import { configFile, spawnReconciler, type ReconcilerProcess } from './processes.js';
import { seeded } from '../../src/sandbox/demo/seeded-random.js';

export interface ScaleOutDrain {
  instances: number;
  referrals: number;
  seconds: number;
  kills: number;
  lost: number;
  duplicates: number;
  deadLetters: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether every referral shows the status its history ends in (ServiceRequests only: cheap enough to ask often). */
async function allFinal(h: Harness, made: readonly Referral[]): Promise<boolean> {
  const statuses = new Map((await all<ServiceRequest>(h.ehrBase, 'ServiceRequest')).map((s) => [s.id!, s.status ?? '']));
  return wrongStatus(made, statuses).length === 0;
}

/**
 * Writes `referrals` histories to the link-worker server first, then starts `instances` reconciler processes and
 * times the drain from the first one's start to every referral showing its final status. With `killEveryMs`, one
 * instance (picked at random) is SIGKILLed that often (± half) and restarted at once.
 */
export async function drainWithInstances(
  h: Harness, store: { databaseUrl: string; schema: string },
  o: { referrals: number; instances: number; killEveryMs?: number; timeoutMs: number },
): Promise<ScaleOutDrain> {
  const random = seeded(3 + o.instances);
  const made: Referral[] = [];
  await pool(Array.from({ length: o.referrals }, (_, i) => i), 4, async (i) => void made.push(await referralHistory(h, i)));
  const file = await configFile(h.config, `scaleout-${o.instances}`);
  const procs: ReconcilerProcess[] = Array.from({ length: o.instances }, () => spawnReconciler(file, store));
  await Promise.race(procs.map((p) => p.started));
  const t0 = performance.now();
  let kills = 0;
  let done = false;
  // The victim is always an instance that has made a run of its own (it holds or held the lease), at a random
  // point of its work: killing one still starting would test nothing but start-up.
  const chaos = (async () => {
    if (!o.killEveryMs) return;
    while (!done) {
      await Promise.race(procs.map((p) => p.ran));
      await sleep(o.killEveryMs * (0.5 + random()));
      if (done) break;
      const working = procs.map((p, i) => (p.runs.ok + p.runs.failed > 0 ? i : -1)).filter((i) => i >= 0);
      if (working.length === 0) continue;
      const i = working[Math.floor(random() * working.length)]!;
      await procs[i]!.kill();
      kills++;
      procs[i] = spawnReconciler(file, store);
    }
  })();
  try {
    for (;;) {
      if (await allFinal(h, made)) break;
      if (performance.now() - t0 > o.timeoutMs) break;
      await sleep(250);
    }
    const seconds = (performance.now() - t0) / 1000;
    done = true;
    await chaos;
    // Runs still in flight finish (or are killed) before anything is counted.
    await sleep(1000);
    await Promise.all(procs.map((p) => p.kill()));
    const e = await ehrEffects(h.ehrBase);
    const obs = await all<Observation>(h.ehrBase, 'Observation');
    const comms = await all<Communication>(h.ehrBase, 'Communication');
    const has = (rs: { basedOn?: { reference?: string }[] }[], sr: string) => rs.some((r) => r.basedOn?.some((b) => b.reference === `ServiceRequest/${sr}`));
    const missing = made.filter((r) => r.finalSrStatus === 'completed' && (!has(obs, r.srId) || !has(comms, r.srId))).length;
    return {
      instances: o.instances, referrals: made.length, seconds, kills,
      lost: wrongStatus(made, e.statusBySr).length + missing,
      duplicates: e.duplicates,
      deadLetters: (await listDeadLetters(h.db)).length,
    };
  } finally {
    done = true;
    await Promise.all(procs.map((p) => p.kill()));
  }
}
