/**
 * Outage: the EHR refuses every write-back for 24 simulated hours while link workers keep changing Tasks, and
 * the reconciler, a process of its own on PostgreSQL, is SIGKILLed at random points and restarted throughout
 * (and while it catches up). The clock is the scenario's: each simulated hour is a fixed slice of real time in
 * which the reconciler polls back to back, more often than the 5-minute backoff cap would. When the EHR
 * accepts writes again, every change must arrive, once.
 */
import { listDeadLetters } from '../../src/reconcile/store/dead-letters.js';
import { ENDPOINT, type Fault, type Harness } from '../../test/integration/reconcile/harness.js';
import { ehrEffects, lostReferrals } from './ehr-effects.js';
import { referralHistory, wrongStatus, type Referral } from './histories.js';
import { configFile, killHolding, spawnReconciler, totalRuns, type ReconcilerProcess } from './processes.js';
import { seeded } from '../../src/sandbox/demo/seeded-random.js';

export interface OutageFigures {
  hours: number;
  referrals: number;
  kills: number;
  /** Kills that landed inside a run, the process holding the endpoint's lease. */
  killsHoldingLease: number;
  failedRuns: number;
  lost: number;
  duplicates: number;
  deadLetters: number;
  catchUpS: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The link worker's client tries again when a connection is reset (loopback under heavy load); a referral left
 * half-written is not counted, as its history never completed.
 */
async function retried<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= 3 || !(err instanceof TypeError)) throw err;
      await sleep(200);
    }
  }
}

export async function measureOutage(
  h: Harness, store: { databaseUrl: string; schema: string },
  o: { hours: number; referralsPerHour: number; hourMs: number; minKills: number },
): Promise<OutageFigures> {
  const random = seeded(24);
  const file = await configFile(h.config, 'outage');
  const started: ReconcilerProcess[] = [];
  let child: ReconcilerProcess | undefined;
  let kills = 0;
  let killsHoldingLease = 0;
  // Up once it has made a run of its own (a killed predecessor's lease has expired): kills then land in runs.
  let ready: Promise<void> = Promise.resolve();
  const start = async () => {
    child = spawnReconciler(file, store);
    started.push(child);
    ready = child.ran;
  };
  const kill = async () => {
    const c = child;
    if (!c || c.child.exitCode !== null || c.child.signalCode !== null) return;
    if (await killHolding(c, h.db, ENDPOINT)) killsHoldingLease++;
    kills++;
  };
  /**
   * Kills the reconciler at a random point `minMs`–`minMs`+2 s after its first run (so inside its runs, not its
   * start-up or while it waits for a dead process's lease), until `until` resolves or after `most` kills; restarts it each time.
   */
  const chaos = async (until: Promise<unknown>, minMs: number, most = Infinity) => {
    let over = false;
    until.then(() => (over = true), () => (over = true));
    for (let n = 0; !over && n < most; n++) {
      await ready;
      await sleep(minMs + random() * 2000);
      if (over) break;
      await kill();
      await start();
    }
  };

  // Write-back transactions (POST to the EHR base) are refused; the GP system itself keeps working.
  const down: Fault = { server: 'ehr', method: 'POST', path: /^\/(\?.*)?$/, status: 503, times: Number.MAX_SAFE_INTEGER };
  h.inject(down);
  await start();
  const made: Referral[] = [];
  const outage = (async () => {
    for (let hour = 0; hour < o.hours; hour++) {
      const t0 = performance.now();
      for (let i = 0; i < o.referralsPerHour; i++) made.push(await retried(() => referralHistory(h, made.length)));
      await sleep(Math.max(0, o.hourMs - (performance.now() - t0)));
    }
  })();
  await Promise.all([outage, chaos(outage, 200)]);
  while (kills < o.minKills) {
    await ready;
    await sleep(500 + random() * 2000);
    await kill();
    await start();
  }

  down.times = 0;
  const t0 = performance.now();
  const caughtUp = (async () => {
    for (;;) {
      const e = await retried(() => ehrEffects(h.ehrBase));
      if (wrongStatus(made, e.statusBySr).length === 0) return;
      await sleep(500);
    }
  })();
  // Keep killing while it catches up: a crash between an EHR write and the saved progress must not duplicate.
  const deadline = sleep(600_000);
  await Promise.race([Promise.all([caughtUp, chaos(caughtUp, 4000, 3)]), deadline]);
  const catchUpS = (performance.now() - t0) / 1000;
  await sleep(2000);
  await kill();

  const e = await ehrEffects(h.ehrBase);
  return {
    hours: o.hours, referrals: made.length, kills, killsHoldingLease, failedRuns: totalRuns(started).failed,
    lost: await lostReferrals(h.ehrBase, made, e),
    duplicates: e.duplicates,
    deadLetters: (await listDeadLetters(h.db)).length,
    catchUpS,
  };
}
