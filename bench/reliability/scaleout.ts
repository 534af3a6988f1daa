/**
 * Scale-out: reconcilers as processes of their own on one PostgreSQL schema drain the same backlog of referral
 * histories. Once with one instance left alone, once with several of which the lease holder is SIGKILLed in the
 * middle of its work and restarted throughout. An endpoint is reconciled by one lease holder at a time, so more instances add
 * availability (a survivor takes the lease over), not speed on one endpoint; the throughput ratio says what the
 * kills and restarts cost. Nothing may be lost or written twice.
 */
import type { ServiceRequest } from '@medplum/fhirtypes';
import { listDeadLetters } from '../../src/reconcile/store/dead-letters.js';
import type { Db } from '../../src/store/db.js';
import { all, ENDPOINT, type Harness } from '../../test/integration/reconcile/harness.js';
import { ehrEffects, lostReferrals } from './ehr-effects.js';
import { pool, referralHistory, wrongStatus, type Referral } from './histories.js';
import { configFile, killHolding, leaseHolder, spawnReconciler, totalRuns, type ReconcilerProcess, type RunCounts } from './processes.js';
import { seeded } from '../../src/sandbox/demo/seeded-random.js';

export interface ScaleOutDrain {
  instances: number;
  referrals: number;
  seconds: number;
  kills: number;
  /** Kills of an instance that died holding the endpoint's lease (not between its runs). */
  killsHoldingLease: number;
  runs: RunCounts;
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

async function appliedVersions(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM reconcile_applied_versions WHERE endpoint_id = $1', [ENDPOINT]);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Writes `referrals` histories to the link-worker server first, then starts `instances` reconciler processes and
 * times the drain from the first one's start to every referral showing its final status. With `killEveryMs`, the
 * instance holding the endpoint's lease is SIGKILLed at a random point up to that long after the drain last moved
 * on (a Task version applied), and restarted at once.
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
  /** Every process started, killed ones too (their runs count). */
  const everyProcess = [...procs];
  await Promise.race(procs.map((p) => p.started));
  const t0 = performance.now();
  let kills = 0;
  let killsHoldingLease = 0;
  let done = false;
  /** The instance holding the endpoint's lease now (polled until one does, or the drain is over). */
  const holder = async (): Promise<number> => {
    while (!done) {
      const id = await leaseHolder(h.db, ENDPOINT);
      const i = procs.findIndex((p) => p.instanceId === id);
      if (i >= 0) return i;
      await sleep(20);
    }
    return -1;
  };
  // The victim is whichever instance holds the lease at a random moment, so the kill lands inside its lease (in
  // the middle of a run: reading a page, writing to the EHR, saving progress): the survivors wait the lease out,
  // and fencing must keep the dead holder's last writes from landing after a successor's. Each kill waits until
  // some Task version has been applied since the last one, so the drain always moves on, however slow the machine.
  const chaos = (async () => {
    if (!o.killEveryMs) return;
    let applied = await appliedVersions(h.db);
    while (!done) {
      while (!done && (await appliedVersions(h.db)) <= applied) await sleep(50);
      await sleep(o.killEveryMs * random());
      const i = await holder();
      if (i < 0) break;
      if (await killHolding(procs[i]!, h.db, ENDPOINT)) killsHoldingLease++;
      kills++;
      applied = await appliedVersions(h.db);
      procs[i] = spawnReconciler(file, store);
      everyProcess.push(procs[i]!);
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
    await Promise.all(everyProcess.map((p) => p.kill()));
    const e = await ehrEffects(h.ehrBase);
    return {
      instances: o.instances, referrals: made.length, seconds, kills, killsHoldingLease, runs: totalRuns(everyProcess),
      lost: await lostReferrals(h.ehrBase, made, e),
      duplicates: e.duplicates,
      deadLetters: (await listDeadLetters(h.db)).length,
    };
  } finally {
    done = true;
    await Promise.all(everyProcess.map((p) => p.kill()));
  }
}
