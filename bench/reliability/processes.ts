/**
 * Reconcilers as processes of their own (bench/reliability/reconciler-process.ts) on the scenario's PostgreSQL
 * schema: started, watched through the one line each run prints, and SIGKILLed. The outage and scale-out
 * scenarios start, watch and kill them the same way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../src/config/schema.js';
import type { Db } from '../../src/store/db.js';

export interface RunCounts {
  ok: number;
  busy: number;
  failed: number;
}

export interface ReconcilerProcess {
  readonly child: ChildProcess;
  /** The reconciler's instance id: the holder its leases name. */
  readonly instanceId: string;
  /** Started: its store is open and its reconciler built. */
  readonly started: Promise<void>;
  /** Made a run of its own (not `busy`: it holds the endpoint's lease), or exited. */
  readonly ran: Promise<void>;
  readonly exited: Promise<void>;
  readonly runs: RunCounts;
  /** SIGKILL; resolves once it has exited. */
  kill(): Promise<void>;
}

export async function configFile(config: Config, name: string): Promise<string> {
  const file = path.join(os.tmpdir(), `sp-link-${name}-${process.pid}.json`);
  await writeFile(file, JSON.stringify(config));
  return file;
}

/**
 * Reads the process's output as it comes (a line may arrive split over chunks, or several in one): `ready`
 * once, then one `run <status> …` line per run, counted into `runs`.
 */
export function runLineReader(runs: RunCounts, on: { ready(): void; ran(): void }): { push(chunk: string): void } {
  let rest = '';
  return {
    push(chunk) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready') on.ready();
        if (!line.startsWith('run ')) continue;
        if (line.startsWith('run busy')) {
          runs.busy++;
          continue;
        }
        if (line.startsWith('run stopped-on-failure')) runs.failed++;
        else runs.ok++;
        on.ran();
      }
    },
  };
}

export function spawnReconciler(
  file: string, store: { databaseUrl: string; schema: string },
  o: { leaseTtlMs?: number; deployedRetry?: boolean; /** Print the live heap (after a full collection) this often. */ heapSampleMs?: number } = {},
): ReconcilerProcess {
  const instanceId = `reliability-${randomUUID().slice(0, 8)}`;
  const args = [...(o.heapSampleMs ? ['--expose-gc'] : []), '--import', 'tsx', path.join('bench', 'reliability', 'reconciler-process.ts'), file];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env, DATABASE_URL: store.databaseUrl, RELIABILITY_SCHEMA: store.schema, RELIABILITY_INSTANCE: instanceId, LOG_LEVEL: 'silent',
      ...(o.leaseTtlMs ? { RELIABILITY_LEASE_MS: String(o.leaseTtlMs) } : {}),
      ...(o.deployedRetry ? { RELIABILITY_RETRY: 'deployed' } : {}),
      ...(o.heapSampleMs ? { RELIABILITY_HEAP_SAMPLE_MS: String(o.heapSampleMs) } : {}),
      // Node's own options for the reconciler alone (a heap limit, to tell what it holds from when V8 collects).
      ...(process.env.BENCH_RECONCILER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_RECONCILER_NODE_OPTIONS } : {}),
    },
  });
  let isStarted!: () => void;
  let hasRun!: () => void;
  const started = new Promise<void>((r) => (isStarted = r));
  const ran = new Promise<void>((r) => (hasRun = r));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  void exited.then(() => (isStarted(), hasRun()));
  const runs: RunCounts = { ok: 0, busy: 0, failed: 0 };
  const reader = runLineReader(runs, { ready: isStarted, ran: hasRun });
  child.stdout!.setEncoding('utf8').on('data', (d: string) => reader.push(d));
  return {
    child, instanceId, started, ran, exited, runs,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Who holds the endpoint's lease now (unexpired), if anyone. */
export async function leaseHolder(db: Db, endpointId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ holder: string }>(
    'SELECT holder FROM reconcile_leases WHERE endpoint_id = $1 AND expires_at > now()', [endpointId],
  );
  return rows[0]?.holder;
}

/** Adds up the runs of every process a scenario started (killed ones included). */
export function totalRuns(procs: readonly ReconcilerProcess[]): RunCounts {
  return procs.reduce((t, p) => ({ ok: t.ok + p.runs.ok, busy: t.busy + p.runs.busy, failed: t.failed + p.runs.failed }), { ok: 0, busy: 0, failed: 0 });
}

/**
 * SIGKILLs `p`; true when it died holding the endpoint's lease (unexpired), so survivors must wait the lease
 * out and fencing must keep its last writes from landing after a successor's.
 */
export async function killHolding(p: ReconcilerProcess, db: Db, endpointId: string): Promise<boolean> {
  await p.kill();
  return (await leaseHolder(db, endpointId)) === p.instanceId;
}
