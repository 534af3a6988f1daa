/**
 * Reconcilers as processes of their own (bench/reliability/reconciler-process.ts) on the scenario's PostgreSQL
 * schema: started, watched through the one line each run prints, and SIGKILLed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../src/config/schema.js';

export interface ReconcilerProcess {
  readonly child: ChildProcess;
  /** Started: its store is open and its reconciler built. */
  readonly started: Promise<void>;
  /** Made a run of its own (not `busy`: it holds the endpoint's lease), or exited. */
  readonly ran: Promise<void>;
  readonly exited: Promise<void>;
  readonly runs: { ok: number; busy: number; failed: number };
  /** SIGKILL; resolves once it has exited. */
  kill(): Promise<void>;
}

export async function configFile(config: Config, name: string): Promise<string> {
  const file = path.join(os.tmpdir(), `sp-link-${name}-${process.pid}.json`);
  await writeFile(file, JSON.stringify(config));
  return file;
}

export function spawnReconciler(file: string, store: { databaseUrl: string; schema: string }, o: { leaseTtlMs?: number } = {}): ReconcilerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('bench', 'reliability', 'reconciler-process.ts'), file], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, DATABASE_URL: store.databaseUrl, RELIABILITY_SCHEMA: store.schema, LOG_LEVEL: 'silent', ...(o.leaseTtlMs ? { RELIABILITY_LEASE_MS: String(o.leaseTtlMs) } : {}) },
  });
  let isStarted!: () => void;
  let hasRun!: () => void;
  const started = new Promise<void>((r) => (isStarted = r));
  const ran = new Promise<void>((r) => (hasRun = r));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  void exited.then(() => (isStarted(), hasRun()));
  const runs = { ok: 0, busy: 0, failed: 0 };
  let rest = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    const lines = (rest + d).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'ready') isStarted();
      if (!line.startsWith('run ')) continue;
      if (line.startsWith('run busy')) runs.busy++;
      else {
        hasRun();
        if (line.startsWith('run stopped-on-failure')) runs.failed++;
        else runs.ok++;
      }
    }
  });
  return {
    child, started, ran, exited, runs,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
