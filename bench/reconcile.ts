/**
 * Reconciler benchmarks (`name: value` lines). Every figure comes from the embedded sandbox FHIR servers (SP
 * Link's FHIR server: Medplum's FhirRouter over the database-backed store of src/fhir-store, each server on an
 * in-memory PGlite of its own) over HTTP on 127.0.0.1 in this process; the reconciler's store is in-memory PGlite
 * here, and PostgreSQL (when it answers) for the reconciler measured in a process of its own. Absolute rates say
 * little about a production EHR; the ratios, measured side by side in one run, more.
 */
import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { startReconciler, type Reconciler } from '../src/reconcile/index.js';
import { defaultValidate } from '../src/reconcile/validate.js';
import { openDb, type Db } from '../src/store/db.js';
import { completedTask, ehrResources, startEnv, type EnvOptions } from './reconcile-env.js';
import { configFile, spawnReconciler } from './reliability/processes.js';
import { scenarioStore } from './reliability/store.js';

type Print = (name: string, value: string | number) => void;
const silent = pino({ level: 'silent' });
const round = (x: number, d = 2) => Number(x.toFixed(d));

const TABLES = ['reconcile_cursors', 'reconcile_task_state', 'reconcile_applied_versions', 'reconcile_attempts', 'reconcile_leases', 'reconcile_dead_letters', 'reconcile_outbox'];

/** One in-memory store for the whole bench (opening PGlite costs seconds), emptied between scenarios. */
async function emptied(db: Db): Promise<Db> {
  await db.exec(`TRUNCATE ${TABLES.join(', ')}`);
  return db;
}

interface Drain {
  seconds: number;
  applied: number;
  requests: number;
  rssPeakMb: number;
  transactions: string[];
}

/** Reconciles a backlog of changed Tasks in one run; counts HTTP requests to both servers. */
async function drain(db: Db, o: EnvOptions): Promise<Drain> {
  const env = await startEnv({ ...o, captureTransactions: o.captureTransactions ?? false });
  const r = await startReconciler({ config: env.config, db: await emptied(db), background: false, logger: silent });
  let rssPeak = process.memoryUsage().rss;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100);
  try {
    const before = env.requests.ehr + env.requests.lw;
    const t0 = performance.now();
    const result = await r.runOnce();
    const seconds = (performance.now() - t0) / 1000;
    const run = result.endpoints.lw!;
    if (run.status !== 'caught-up' || run.applied !== o.tasks) throw new Error(`backlog of ${o.tasks} not drained: ${JSON.stringify(run)}`);
    return { seconds, applied: run.applied, requests: env.requests.ehr + env.requests.lw - before, rssPeakMb: rssPeak / 2 ** 20, transactions: env.transactions.slice() };
  } finally {
    clearInterval(sampler);
    await r.stop();
    await env.close();
  }
}

/** A minimal client posting the same transaction Bundles to a fresh, identically seeded EHR, one at a time. */
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

/** Change-to-visible latency: a Task completes at the endpoint → its referral shows completed in the EHR. */
async function latency(db: Db, mode: 'subscriptions' | 'polling', samples: number): Promise<number[]> {
  const env = await startEnv({
    referrals: samples, tasks: samples, completeEvery: samples + 1, subscriptions: mode === 'subscriptions',
    // Polling only: every second. With subscriptions the poll is a rare safety net, out of the way here.
    pollSchedule: mode === 'polling' ? '* * * * * *' : '0 0 0 1 1 *',
  });
  // completeEvery > samples: Task 0 completes, the rest start in progress; re-complete below from in-progress.
  let r: Reconciler | undefined;
  try {
    r = await startReconciler({ config: env.config, db: await emptied(db), background: true, logger: silent });
    env.app.use(r.webhookRouter);
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
    await r?.stop();
    await env.close();
  }
}

export async function run(print: Print): Promise<void> {
  print('reconcile_bench_server', 'embedded sandbox FHIR servers (Medplum FhirRouter over the database-backed FHIR store, in-memory PGlite) over HTTP on 127.0.0.1; reconciler store PGlite in memory');
  // Load the profile validator and open the store before timing anything.
  defaultValidate(ehrResources(1)[0]!);
  const db = await openDb({ memory: true });
  try {
    await drain(db, { referrals: 20, tasks: 20, outcomes: false });

    // 1k completed Tasks, each: referral status + message back + Provenance in one transaction entry set.
    const small = await drain(db, { referrals: 1000, tasks: 1000, outcomes: false, pageSize: 100, captureTransactions: true });
    const raw = await rawWrite(1000, small.transactions);
    const rate = small.applied / small.seconds;
    print('reconcile_backlog_1k_tasks_per_s', round(rate, 1));
    print('reconcile_raw_write_tasks_per_s', round(1000 / raw, 1));
    print('reconcile_vs_raw_write_ratio', round(rate / (1000 / raw)));
    print('requests_per_task', round(small.requests / small.applied, 3));
    print('reconcile_rss_mb_1k', round(small.rssPeakMb, 0));

    // 10k changed Tasks: 1 in 20 completed (3 writes each), the rest progress updates with nothing to write.
    const big = await drain(db, { referrals: 10_000, tasks: 10_000, outcomes: false, completeEvery: 20, pageSize: 500 });
    print('reconcile_backlog_10k_tasks_per_s', round(big.applied / big.seconds, 1));
    print('reconcile_backlog_10k_requests_per_task', round(big.requests / big.applied, 3));
    print('reconcile_rss_mb_10k', round(big.rssPeakMb, 0));

    // Memory of the reconciler itself: in a process of its own, backlogs 10 and 100 times larger.
    const sizes = (process.env.BENCH_RECONCILE_MEMORY_SIZES ?? '1000,10000,100000').split(',').map(Number).filter((n) => n > 0);
    const rss: number[] = [];
    for (const n of sizes) {
      const d = await processDrain(n);
      const k = n >= 1000 ? `${n / 1000}k` : String(n);
      if (rss.length === 0) print('reconcile_process_store', d.store);
      print(`reconcile_process_rss_mb_${k}`, round(d.rssMb, 0));
      print(`reconcile_process_backlog_${k}_tasks_per_s`, round(n / d.seconds, 1));
      rss.push(d.rssMb);
    }
    if (rss.length > 1) print('reconcile_process_rss_spread_pct', round((100 * (Math.max(...rss) - Math.min(...rss))) / Math.min(...rss), 1));

    for (const mode of ['subscriptions', 'polling'] as const) {
      const xs = await latency(db, mode, mode === 'subscriptions' ? 41 : 16);
      print(`reconcile_latency_${mode}_p50_ms`, round(percentile(xs, 50), 0));
      print(`reconcile_latency_${mode}_p95_ms`, round(percentile(xs, 95), 0));
    }
  } finally {
    await db.close();
  }
}

/**
 * The reconciler in a process of its own (bench/reliability/reconciler-process.ts), the servers staying in this one:
 * its peak resident memory (VmHWM) and its drain rate for a backlog of `tasks` changed Tasks, 1 in 20 completed.
 * Its store is PostgreSQL when it answers (a schema of its own), else in-memory PGlite inside that process.
 */
export async function processDrain(tasks: number): Promise<{ rssMb: number; seconds: number; store: string }> {
  const env = await startEnv({ referrals: tasks, tasks, outcomes: false, completeEvery: 20, pageSize: 500 });
  const store = await scenarioStore();
  try {
    const file = await configFile(env.config, `memory-${tasks}`);
    const p = spawnReconciler(file, store.shared ?? { databaseUrl: '', schema: '' });
    try {
      await p.started;
      const t0 = performance.now();
      await p.ran;
      const seconds = (performance.now() - t0) / 1000;
      if (p.runs.ok === 0) throw new Error(`the reconciler process did not drain ${tasks} Tasks (exit ${p.child.exitCode})`);
      const status = await readFile(`/proc/${p.child.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
      return { rssMb: kb / 1024, seconds, store: store.kind };
    } finally {
      await p.kill();
    }
  } finally {
    await store.close();
    await env.close();
  }
}
