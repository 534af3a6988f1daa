/**
 * Reconciler benchmarks. Every figure comes from the embedded sandbox FHIR servers (Medplum FhirRouter over
 * an in-memory repository with linear-scan search, behind express) on 127.0.0.1 in this process, with the
 * store in in-memory PGlite; absolute rates say little about a production EHR, the ratios more.
 */
import type { Task } from '@medplum/fhirtypes';
import { pino } from 'pino';
import { startReconciler, type Reconciler } from '../src/reconcile/index.js';
import { defaultValidate } from '../src/reconcile/validate.js';
import { openDb } from '../src/store/db.js';
import { completedTask, ehrResources, outcome, startEnv, type BenchEnv } from './reconcile-env.js';

type Print = (name: string, value: string | number) => void;
const silent = pino({ level: 'silent' });
const round = (x: number, d = 2) => Number(x.toFixed(d));

interface Drain {
  seconds: number;
  applied: number;
  requests: number;
  rssPeakMb: number;
  transactions: string[];
}

/** Reconciles a backlog of `n` completed Tasks in one run; counts HTTP requests to both servers. */
async function drain(n: number, capture: boolean): Promise<Drain> {
  const env = await startEnv({ referrals: n, tasks: n, captureTransactions: capture });
  const db = await openDb({ memory: true });
  const r = await startReconciler({ config: env.config, db, background: false, logger: silent });
  let rssPeak = process.memoryUsage().rss;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100);
  try {
    const before = env.requests.ehr + env.requests.lw;
    const t0 = performance.now();
    const result = await r.runOnce();
    const seconds = (performance.now() - t0) / 1000;
    const run = result.endpoints.lw!;
    if (run.status !== 'caught-up' || run.applied !== n) throw new Error(`backlog of ${n} not drained: ${JSON.stringify(run)}`);
    return { seconds, applied: run.applied, requests: env.requests.ehr + env.requests.lw - before, rssPeakMb: rssPeak / 2 ** 20, transactions: env.transactions.slice() };
  } finally {
    clearInterval(sampler);
    await r.stop();
    await db.close();
    await env.close();
  }
}

/** A minimal client posting the same transaction Bundles to a fresh, identically seeded EHR, one at a time. */
async function rawWrite(n: number, transactions: readonly string[]): Promise<number> {
  const env = await startEnv({ referrals: n, tasks: 0 });
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
async function latency(mode: 'subscriptions' | 'polling', samples: number): Promise<number[]> {
  const env: BenchEnv = await startEnv({
    referrals: samples, tasks: 0, subscriptions: mode === 'subscriptions',
    // Polling only: every second. With subscriptions the poll is a rare safety net, out of the way here.
    pollSchedule: mode === 'polling' ? '* * * * * *' : '0 0 0 1 1 *',
  });
  const db = await openDb({ memory: true });
  let r: Reconciler | undefined;
  try {
    const inProgress: Task[] = [];
    for (let i = 0; i < samples; i++) {
      await env.lw.exclusive(async (repo) => {
        await repo.createResource(outcome(i), { assignedId: true });
        inProgress.push(await repo.createResource({ ...completedTask(env.ehrBase, i), status: 'in-progress', output: undefined }, { assignedId: true }));
      });
    }
    r = await startReconciler({ config: env.config, db, background: true, logger: silent });
    env.app.use(r.webhookRouter);
    await r.runOnce();
    if (mode === 'subscriptions') await r.ensureSubscriptions();
    const out: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      const res = await fetch(`${env.lwBase}/Task/${inProgress[i]!.id}`, {
        method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ ...completedTask(env.ehrBase, i), id: inProgress[i]!.id }),
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
    await db.close();
    await env.close();
  }
}

export async function run(print: Print): Promise<void> {
  print('reconcile_bench_server', 'embedded sandbox FHIR servers (Medplum FhirRouter, in-memory, linear-scan search) over HTTP on 127.0.0.1; store PGlite in memory');
  // Load the profile validator before timing anything (about a second, once per process).
  defaultValidate(ehrResources(1)[0]!);
  await drain(50, false);

  const small = await drain(1000, true);
  const raw = await rawWrite(1000, small.transactions);
  const rate = small.applied / small.seconds;
  print('reconcile_backlog_1k_tasks_per_s', round(rate, 1));
  print('reconcile_raw_write_tasks_per_s', round(1000 / raw, 1));
  print('reconcile_vs_raw_write_ratio', round(rate / (1000 / raw)));
  print('requests_per_task', round(small.requests / small.applied, 3));
  print('reconcile_rss_mb_1k', round(small.rssPeakMb, 0));

  const big = await drain(10_000, false);
  print('reconcile_backlog_10k_tasks_per_s', round(big.applied / big.seconds, 1));
  print('reconcile_rss_mb_10k', round(big.rssPeakMb, 0));

  for (const mode of ['subscriptions', 'polling'] as const) {
    const xs = await latency(mode, mode === 'subscriptions' ? 40 : 20);
    print(`reconcile_latency_${mode}_p50_ms`, round(percentile(xs, 50), 0));
    print(`reconcile_latency_${mode}_p95_ms`, round(percentile(xs, 95), 0));
  }
}
