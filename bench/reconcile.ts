/**
 * Reconciler benchmarks (`name: value` lines), on the reconcile test harness's servers (bench/reconcile-env.ts: SP
 * Link's FHIR server, Medplum's FhirRouter over the database-backed store of src/fhir-store, on an in-memory PGlite,
 * over HTTP on 127.0.0.1 in this process) with backlogs bulk-loaded into their stores. The reconciler runs in a
 * process of its own (bench/reliability/reconciler-process.ts) on PostgreSQL when it answers, else in-memory PGlite,
 * so its resident memory is its own. Absolute rates say little about a production EHR; the ratios, measured side by
 * side in one run, more.
 */
import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import type { Reconciler } from '../src/reconcile/index.js';
import { defaultValidate } from '../src/reconcile/validate.js';
import { completedTask, startEnv, type EnvOptions } from './reconcile-env.js';
import { configFile, spawnReconciler, type ReconcilerProcess } from './reliability/processes.js';
import { scenarioStore } from './reliability/store.js';

type Print = (name: string, value: string | number) => void;
const silent = pino({ level: 'silent' });
const round = (x: number, d = 2) => Number(x.toFixed(d));
const label = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));
/**
 * How often the reconciler process reports its live heap (a full collection each time; 0: never, and no live-heap
 * figures). The collections also keep V8 from growing the heap as far, so peak resident memory without them
 * (`BENCH_RECONCILE_HEAP_SAMPLE_MS=0`) is the figure of a process left to V8's own sizing.
 */
const HEAP_SAMPLE_MS = Number(process.env.BENCH_RECONCILE_HEAP_SAMPLE_MS ?? 5000);

export interface ProcessDrain {
  /** The reconciler process's peak resident memory (VmHWM). */
  rssMb: number;
  /** The most heap it still used after a full collection (sampled every few seconds): what it holds. */
  liveHeapMb: number;
  seconds: number;
  /** HTTP requests to both FHIR servers during the drain. */
  requests: number;
  /** The transaction Bundles it posted to the EHR (with `captureTransactions`). */
  transactions: string[];
  store: string;
}

/**
 * The reconciler in a process of its own, the servers staying in this one: its peak resident memory, how long its
 * first run takes to drain the backlog, and the requests it makes.
 */
export async function processDrain(o: EnvOptions): Promise<ProcessDrain> {
  const env = await startEnv(o);
  const store = await scenarioStore();
  try {
    const file = await configFile(env.h.config, `drain-${o.tasks}`);
    // The deployed lease and retry budget: a run on a busy machine is neither killed nor cut short.
    const p = spawnReconciler(file, store.shared ?? { databaseUrl: '', schema: '' }, { deployedRetry: true, leaseTtlMs: 60_000, heapSampleMs: HEAP_SAMPLE_MS });
    try {
      await p.started;
      const before = env.h.requests.ehr + env.h.requests.lw;
      const t0 = performance.now();
      const liveHeap = await drained(p, o.tasks);
      const seconds = (performance.now() - t0) / 1000;
      const status = await readFile(`/proc/${p.child.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
      return {
        rssMb: kb / 1024, liveHeapMb: liveHeap / 2 ** 20, seconds, requests: env.h.requests.ehr + env.h.requests.lw - before,
        transactions: env.transactions.slice(), store: store.kind,
      };
    } finally {
      await p.kill();
    }
  } finally {
    await store.close();
    await env.close();
  }
}

/**
 * Resolves, with the most live heap the process reported meanwhile (bytes), once its runs have applied `tasks` Task
 * versions and one ended caught up; fails if it exits first.
 */
function drained(p: ReconcilerProcess, tasks: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let applied = 0;
    let liveHeap = 0;
    let rest = '';
    const onData = (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const heap = /^heap (\d+)$/.exec(line);
        if (heap) liveHeap = Math.max(liveHeap, Number(heap[1]));
        const m = /^run (\S+) applied=(\d+)/.exec(line);
        if (!m) continue;
        applied += Number(m[2]);
        if (m[1] === 'caught-up' && applied >= tasks) {
          p.child.stdout!.off('data', onData);
          resolve(liveHeap);
        }
      }
    };
    p.child.stdout!.on('data', onData);
    void p.exited.then(() => reject(new Error(`the reconciler process exited (${p.child.exitCode ?? p.child.signalCode}) having applied ${applied} of ${tasks} Task versions`)));
  });
}

/** A minimal client posting the same transaction Bundles to a fresh, identically seeded EHR, one at a time; seconds taken. */
async function rawWrite(referrals: number, transactions: readonly string[]): Promise<number> {
  const env = await startEnv({ referrals, tasks: 0 });
  try {
    const t0 = performance.now();
    for (const body of transactions) {
      const res = await fetch(env.ehrBase, { method: 'POST', headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' }, body });
      if (res.status !== 200) throw new Error(`raw transaction failed: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }
    return (performance.now() - t0) / 1000;
  } finally {
    await env.close();
  }
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Change-to-visible latency, reconciler in this process: a Task completes at the endpoint → its referral shows completed in the EHR. */
async function latency(mode: 'subscriptions' | 'polling', samples: number): Promise<number[]> {
  const env = await startEnv({
    referrals: samples, tasks: samples, completeEvery: samples + 1, subscriptions: mode === 'subscriptions',
    // Polling only: every second. With subscriptions the poll is a rare safety net, out of the way here.
    pollSchedule: mode === 'polling' ? '* * * * * *' : '0 0 0 1 1 *',
  });
  // completeEvery > samples: Task 0 completes, the rest start in progress; re-complete below from in-progress.
  let r: Reconciler | undefined;
  try {
    r = env.h.reconciler = await env.h.startReconciler({ background: true, logger: silent });
    await r.runOnce();
    if (mode === 'subscriptions') await r.ensureSubscriptions();
    const out: number[] = [];
    for (let i = 1; i < samples; i++) {
      const t0 = performance.now();
      const res = await fetch(`${env.lwBase}/Task/task-${i}`, {
        method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(completedTask(env.ehrBase, i, `task-${i}`, false)),
      });
      if (!res.ok) throw new Error(`Task update failed: ${res.status}`);
      const deadline = t0 + 30_000;
      while (!env.completedAt.has(`sr-${i}`)) {
        if (performance.now() > deadline) throw new Error(`referral sr-${i} not visible after 30 s (${mode})`);
        await new Promise((res2) => setTimeout(res2, 2));
      }
      out.push(env.completedAt.get(`sr-${i}`)! - t0);
    }
    return out;
  } finally {
    await env.close();
  }
}

export async function run(print: Print): Promise<void> {
  print('reconcile_bench_server', 'SP Link FHIR servers (FhirRouter over the database-backed FHIR store, in-memory PGlite, backlogs bulk-loaded) over HTTP on 127.0.0.1; reconciler in a process of its own');
  // Load the profile validator before timing anything.
  defaultValidate({ resourceType: 'Patient', id: 'p' });

  // 1k completed Tasks, each: referral status + message back + Provenance in one transaction entry set; the same
  // transactions replayed by a minimal client against an identically seeded EHR give the server's raw write rate.
  const done = await processDrain({ referrals: 1000, tasks: 1000, outcomes: false, pageSize: 100, captureTransactions: true });
  const raw = await rawWrite(1000, done.transactions);
  print('reconcile_process_store', done.store);
  print('reconcile_backlog_1k_tasks_per_s', round(1000 / done.seconds, 1));
  print('reconcile_raw_write_tasks_per_s', round(1000 / raw, 1));
  print('reconcile_vs_raw_write_ratio', round(raw / done.seconds));
  print('requests_per_task', round(done.requests / 1000, 3));

  // Backlogs 1k, 10k, 100k of changed Tasks, 1 in 20 completed (the rest progress updates with nothing to write):
  // the reconciler's memory (goal: flat), its rate against the raw write rate of the same writes, requests per change.
  // Two memory figures: the live heap (what it holds: flat if it streams pages) and peak resident memory (that plus
  // however far V8 lets the heap grow between collections, which follows the allocation rate, not the backlog).
  const sizes = (process.env.BENCH_RECONCILE_MEMORY_SIZES ?? '1000,10000,100000').split(',').map(Number).filter((n) => n > 0);
  const rss: number[] = [];
  const live: number[] = [];
  const spread = (xs: number[]) => round((100 * (Math.max(...xs) - Math.min(...xs))) / Math.min(...xs), 1);
  for (const n of sizes) {
    const d = await processDrain({ referrals: n, tasks: n, outcomes: false, completeEvery: 20, pageSize: 500, captureTransactions: true });
    const k = label(n);
    // The drain's own figures first: the raw replay of a large backlog takes a while.
    if (HEAP_SAMPLE_MS > 0) print(`reconcile_process_live_heap_mb_${k}`, round(d.liveHeapMb, 0));
    print(`reconcile_process_rss_mb_${k}`, round(d.rssMb, 0));
    print(`reconcile_process_backlog_${k}_tasks_per_s`, round(n / d.seconds, 1));
    print(`reconcile_process_backlog_${k}_requests_per_task`, round(d.requests / n, 3));
    const rawSeconds = await rawWrite(n, d.transactions);
    print(`reconcile_process_backlog_${k}_vs_raw_write_ratio`, round(rawSeconds / d.seconds));
    rss.push(d.rssMb);
    if (HEAP_SAMPLE_MS > 0) live.push(d.liveHeapMb);
  }
  if (live.length > 1) print('reconcile_process_live_heap_spread_pct', spread(live));
  if (rss.length > 1) print('reconcile_process_rss_spread_pct', spread(rss));

  for (const mode of ['subscriptions', 'polling'] as const) {
    const xs = await latency(mode, mode === 'subscriptions' ? 41 : 16);
    print(`reconcile_latency_${mode}_p50_ms`, round(percentile(xs, 50), 0));
    print(`reconcile_latency_${mode}_p95_ms`, round(percentile(xs, 95), 0));
  }
}
