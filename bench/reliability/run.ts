/**
 * `npm run reliability [scenario …]`: SP Link's reliability figures, one `name: value` a line. Zero is the
 * goal wherever a figure counts something lost, duplicated or wrong (and alert_latency_s at most 300 s); the run
 * exits 1 when a goal is missed.
 * Scenarios run against real HTTP FHIR servers on loopback (the reconcile test harness) and PostgreSQL
 * when it answers (PGlite otherwise). How to read the figures: docs/OPERATIONS.md, "Reliability figures".
 */
import os from 'node:os';
import { pino } from 'pino';
import { startHarness, type Harness, type HarnessOptions } from '../../test/integration/reconcile/harness.js';
import { completionTimes, droppedHarnessOptions, measureDropped } from './dropped.js';
import { measureOrdering } from './ordering.js';
import { measurePoison } from './poison.js';
import { measureReplay } from './replay.js';
import { measureOutage } from './outage.js';
import { drainWithInstances } from './scaleout.js';
import { measureShutdown } from './shutdown.js';
import { alertHarnessOptions, measureAlerts } from './alerts.js';
import { HealthRegistry } from '../../src/observability/health.js';
import { percentile } from './random.js';
import { scenarioStore, type ScenarioStore } from './store.js';

/** A figure; `goal` marks one that must be 0, at most `max`, or at least `min` (work the scenario must have done). */
type Print = (name: string, value: string | number, goal?: 'zero' | { max: number } | { min: number }) => void;
const round = (x: number, d = 2) => Number(x.toFixed(d));
const silent = pino({ level: 'silent' });

/**
 * `n` harnesses, each on a store of its own (on PostgreSQL: a schema each, holding the reconciler's tables and the
 * sandbox FHIR servers' stores); closed (and the stores dropped) after `fn`. `shared` is the first one's.
 */
async function withHarnesses<T>(n: number, o: HarnessOptions, fn: (hs: Harness[], store: string, shared?: ScenarioStore['shared']) => Promise<T>): Promise<T> {
  const stores: ScenarioStore[] = [];
  const hs: Harness[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const store = await scenarioStore();
      stores.push(store);
      const fhirDb = store.kind === 'postgresql' ? await store.open() : undefined;
      hs.push(await startHarness({ ...o, db: await store.open(), ...(fhirDb ? { fhirDb } : {}), ctx: { logger: silent, ...o.ctx } }));
    }
    return await fn(hs, stores[0]!.kind, stores[0]!.shared);
  } finally {
    for (const h of hs) await h.close();
    for (const s of stores) await s.close();
  }
}

const scenarios: Record<string, (print: Print) => Promise<void>> = {
  async ordering(print) {
    const f = measureOrdering(10_000);
    print('ordering_orderings', f.orderings);
    print('ordering_task_versions_applied', f.versions);
    print('ordering_backward_moves', f.backwardMoves, 'zero');
    print('ordering_overwrites_of_newer', f.overwritesOfNewer, 'zero');
  },
  async replay(print) {
    await withHarnesses(1, {}, async ([h], store) => {
      const f = await measureReplay(h!, 60, 32);
      print('replay_store', store);
      print('replay_referrals', f.referrals);
      print('replay_task_versions', f.versions);
      print('replay_deliveries', f.deliveries);
      print('replay_duplicates', f.duplicates, 'zero');
      print('replay_wrong_status', f.wrongStatus, 'zero');
      print('replay_dead_letters', f.deadLetters, 'zero');
    });
  },
  async poison(print) {
    await withHarnesses(2, {}, async ([baseline, mixed], store) => {
      const f = await measurePoison(baseline!, mixed!, 600);
      print('poison_store', store);
      print('poison_good_tasks', f.good);
      print('poison_tasks', f.poison);
      print('poison_throughput_ratio', round(f.throughputRatio));
      print('poison_cpu_ratio', round(f.cpuRatio));
      print('poison_rounds', f.roundRatios.length);
      print('poison_throughput_ratio_by_round', f.roundRatios.map((r) => round(r)).join(' '));
      print('poison_cpu_ratio_by_round', f.roundCpuRatios.map((r) => round(r)).join(' '));
      print('poison_good_lost', f.goodLost, 'zero');
      print('poison_dead_lettered', f.deadLettered);
      print('poison_unaccounted', f.unaccounted, 'zero');
      print('poison_replay_exit_code', f.replayExitCode, 'zero');
      print('poison_open_after_replay', f.openAfterReplay, 'zero');
    });
  },
  async dropped(print) {
    const times = completionTimes();
    // The default poll schedule (every 15 s), as deployed.
    await withHarnesses(1, droppedHarnessOptions('*/15 * * * * *', times.onEhrChange), async ([h], store) => {
      const f = await measureDropped(h!, times.visibleAt, 100, { maxDelayMs: 10_000, waitMs: 120_000 });
      print('dropped_store', store);
      print('dropped_poll_interval_s', 15);
      print('dropped_notifications', f.notifications);
      print('dropped_notifications_dropped', f.dropped);
      print('dropped_notifications_delayed', f.delayed);
      print('dropped_detected_within_s', round(f.detectedWithinS, 1));
      print('dropped_lost', f.lost, 'zero');
      print('dropped_duplicates', f.duplicates, 'zero');
    });
  },
  async scaleout(print) {
    const referrals = 200;
    const one = await withHarnesses(1, {}, async ([h], store, shared) => (shared ? drainWithInstances(h!, shared, { referrals, instances: 1, timeoutMs: 600_000 }) : undefined));
    if (!one) {
      print('scaleout_skipped', 'needs PostgreSQL (reconcilers as processes of their own on one store)');
      return;
    }
    const three = await withHarnesses(1, {}, async ([h], _store, shared) => drainWithInstances(h!, shared!, { referrals, instances: 3, killEveryMs: 1500, timeoutMs: 600_000 }));
    print('scaleout_referrals', referrals);
    print('scaleout_instances', three.instances);
    print('scaleout_sigkills', three.kills);
    print('scaleout_sigkills_holding_lease', three.killsHoldingLease, { min: 1 });
    print('scaleout_runs_busy', three.runs.busy);
    print('scaleout_lost', three.lost, 'zero');
    print('scaleout_duplicates', three.duplicates, 'zero');
    print('scaleout_dead_letters', three.deadLetters, 'zero');
    print('scaleout_1_instance_referrals_per_s', round(one.referrals / one.seconds, 1));
    print(`scaleout_${three.instances}_instances_with_kills_referrals_per_s`, round(three.referrals / three.seconds, 1));
    print('scaleout_throughput_ratio', round(one.seconds / three.seconds));
    print('scaleout_1_instance_lost', one.lost, 'zero');
    print('scaleout_1_instance_duplicates', one.duplicates, 'zero');
  },
  async shutdown(print) {
    const f = await measureShutdown({ cycles: 5, gps: 3 });
    print('shutdown_store', 'pglite (embedded default)');
    print('shutdown_cycles', f.cycles);
    print('shutdown_deadline_ms', f.deadlineMs);
    print('shutdown_p50_ms', Math.round(percentile(f.stopMs, 50)));
    print('shutdown_p100_ms', Math.round(percentile(f.stopMs, 100)));
    print('shutdown_exit_codes', f.exitCodes.join(' '));
    print('shutdown_not_exited', f.notExited, 'zero');
    print('shutdown_referrals_confirmed', f.referralsConfirmed, { min: 1 });
    print('shutdown_half_written', f.halfWritten, 'zero');
    print('shutdown_duplicated', f.duplicated, 'zero');
  },
  async alerts(print) {
    const health = new HealthRegistry();
    await withHarnesses(1, alertHarnessOptions(health), async ([h]) => {
      const f = await measureAlerts(h!, health);
      print('alert_poll_interval_s', 15);
      print('alert_stuck_endpoint_readyz_s', round(f.stuckEndpointReadyzS, 1));
      print('alert_stuck_endpoint_metric_s', round(f.stuckEndpointMetricS, 1));
      print('alert_dead_letter_metric_s', round(f.deadLetterMetricS, 1));
      print('alert_latency_s', round(Math.max(f.stuckEndpointMetricS, f.deadLetterMetricS), 1), { max: 300 });
    });
  },
  async outage(print) {
    await withHarnesses(1, {}, async ([h], store, shared) => {
      print('outage_store', store);
      if (!shared) {
        print('outage_skipped', 'needs PostgreSQL (the reconciler runs as processes of its own on one store)');
        return;
      }
      const f = await measureOutage(h!, shared, { hours: 24, referralsPerHour: 2, hourMs: 3000, minKills: 10 });
      print('outage_simulated_hours', f.hours);
      print('outage_referrals', f.referrals);
      print('outage_reconciler_sigkills', f.kills);
      print('outage_sigkills_holding_lease', f.killsHoldingLease);
      print('outage_failed_runs', f.failedRuns);
      print('outage_lost', f.lost, 'zero');
      print('outage_duplicates', f.duplicates, 'zero');
      print('outage_dead_letters', f.deadLetters, 'zero');
      print('outage_catch_up_s', round(f.catchUpS, 1));
    });
  },
};

async function main(): Promise<number> {
  const only = process.argv.slice(2);
  const unknown = only.filter((s) => !(s in scenarios));
  if (unknown.length) {
    console.error(`unknown scenario ${unknown.join(', ')}; scenarios: ${Object.keys(scenarios).join(', ')}`);
    return 2;
  }
  console.log(`# SP Link reliability on ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}`);
  const missed: string[] = [];
  const t0 = performance.now();
  for (const [name, run] of Object.entries(scenarios)) {
    if (only.length && !only.includes(name)) continue;
    console.log(`# ${name}`);
    const s0 = performance.now();
    await run((figure, value, goal) => {
      console.log(`${figure}: ${value}`);
      if (goal === 'zero' && value !== 0) missed.push(`${figure}=${value}`);
      if (typeof goal === 'object' && 'max' in goal && !(typeof value === 'number' && value <= goal.max)) missed.push(`${figure}=${value} (goal ≤ ${goal.max})`);
      if (typeof goal === 'object' && 'min' in goal && !(typeof value === 'number' && value >= goal.min)) missed.push(`${figure}=${value} (goal ≥ ${goal.min})`);
    });
    console.log(`${name}_scenario_s: ${round((performance.now() - s0) / 1000, 1)}`);
  }
  console.log(`reliability_total_s: ${round((performance.now() - t0) / 1000, 1)}`);
  if (missed.length) console.log(`# GOAL MISSED: ${missed.join(', ')}`);
  return missed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
