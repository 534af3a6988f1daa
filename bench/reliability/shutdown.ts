/**
 * Shutdown and crash loops: `sp-link start` as deployed (config/default.yaml, embedded store), stopped by SIGTERM
 * again and again while GPs create and list referrals, reconcile runs are asked for and outbox deliveries are
 * under way, with its stdout closed before the signal (nobody reads the log any more). Every stop must end in an
 * exit by the configured deadline, and once the instance is up again every referral the GP app confirmed must be
 * in the EHR once, with its Task at the link-worker service once: nothing half-written.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Bundle } from '@medplum/fhirtypes';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { launch, request, type TestSystem } from '../../test/helpers/gp-launch.js';
import { referralForm } from '../../test/helpers/referral-form.js';
import { devAuthHeader } from '../../test/helpers/sandbox-tokens.js';
import { seeded } from '../../src/sandbox/demo/seeded-random.js';
import { freePort } from '../../test/helpers/http.js';

export interface ShutdownFigures {
  cycles: number;
  deadlineMs: number;
  /** Milliseconds from SIGTERM to exit, per stop. */
  stopMs: number[];
  /** Stops that did not end in an exit by the deadline (plus a second's grace for the process to be reaped). */
  notExited: number;
  exitCodes: number[];
  referralsConfirmed: number;
  /** Confirmed referrals missing from the EHR, or without exactly one Task at the link-worker service. */
  halfWritten: number;
  /** Confirmed referrals found more than once in the EHR or with more than one Task. */
  duplicated: number;
}

const ADMIN = { authorization: 'Bearer sandbox-admin-token' };
const PATIENT = 'pat-02';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The longest wait for the first confirmed referral of a cycle before the stop comes anyway. */
const PROGRESS_WAIT_MS = 120_000;

/** The main thread's time on a CPU and waiting in the run queue (Linux /proc/PID/schedstat); undefined elsewhere. */
async function schedStat(pid: number | undefined): Promise<{ runMs: number; waitMs: number } | undefined> {
  const text = pid ? await readFile(`/proc/${pid}/schedstat`, 'utf8').catch(() => undefined) : undefined;
  const [run, wait] = (text ?? '').split(' ').map(Number);
  return run !== undefined && wait !== undefined && Number.isFinite(run) && Number.isFinite(wait) ? { runMs: run / 1e6, waitMs: wait / 1e6 } : undefined;
}

interface Instance {
  child: ChildProcessWithoutNullStreams;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last of what it wrote to stderr (what it says while it stops: the deadline, a failure). */
  stderr(): string;
}

async function start(configFile: string, dataDir: string, port: number): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start', '--config', configFile], {
    env: { ...process.env, PORT: String(port), SP_LINK_DATA_DIR: dataDir, LOG_LEVEL: 'info', LOG_FORMAT: 'json', DATABASE_URL: '' },
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out = (out + d.toString()).slice(-20_000);
      const m = /SP Link is up on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    void exited.then(({ code }) => reject(new Error(`sp-link start exited ${code} before it was up:\n${out.slice(-2000)}\n${err}`)));
  });
  return { child, url, exited, stderr: () => err };
}

/**
 * GPs creating and listing referrals and asking for reconcile runs until `stop` is set; confirmed referral ids.
 * `progress` resolves at the first confirmed referral (or when every GP has given up).
 */
function work(url: string, gps: number, stop: { now: boolean }): { progress: Promise<void>; done: Promise<{ confirmed: string[] }> } {
  const confirmed: string[] = [];
  let progressed!: () => void;
  const progress = new Promise<void>((r) => (progressed = r));
  const sys = { url } as TestSystem;
  const gp = async () => {
    // A launch cut by the stop is not a referral: nothing to count.
    const signedIn = await launch(sys, { patient: PATIENT, practitioner: 'gp-1' }).catch(() => undefined);
    if (!signedIn) return;
    const { jar, csrf } = signedIn;
    for (let i = 0; !stop.now; i++) {
      try {
        const res = await request(jar, `${url}/app/api/referrals`, {
          method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(referralForm(PATIENT)),
        });
        const body = (await res.json().catch(() => undefined)) as { referralId?: string } | undefined;
        if (res.status === 201 && body?.referralId) {
          confirmed.push(body.referralId);
          progressed();
        }
        if (i % 3 === 0) await (await request(jar, `${url}/app/api/referrals?patient=${PATIENT}`)).arrayBuffer();
      } catch {
        // Connection refused or cut: the instance is stopping.
        return;
      }
    }
  };
  const runs = async () => {
    while (!stop.now) {
      try {
        await (await fetch(`${url}/admin/api/reconcile/run`, { method: 'POST', headers: ADMIN })).arrayBuffer();
      } catch {
        return;
      }
    }
  };
  const done = Promise.all([...Array.from({ length: gps }, gp), runs()]).then(() => ({ confirmed }));
  void done.then(progressed);
  return { progress, done };
}

/** How many resources of `type` at a sandbox server carry `identifier` (any system). */
async function countByIdentifier(url: string, server: 'ehr' | 'lw', type: string, identifier: string): Promise<number> {
  const res = await fetch(`${url}/sandbox/${server}/fhir/${type}?identifier=${encodeURIComponent(identifier)}&_summary=count`, {
    headers: { accept: 'application/fhir+json', ...(await devAuthHeader(url, server)) },
  });
  if (!res.ok) throw new Error(`${type}?identifier= at ${server}: HTTP ${res.status}`);
  return (await res.json() as Bundle).total ?? 0;
}

export async function measureShutdown(o: { cycles: number; gps: number }): Promise<ShutdownFigures> {
  const random = seeded(15);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sp-link-shutdown-'));
  try {
    const raw = parseYaml(await readFile('config/default.yaml', 'utf8')) as { server: { shutdownSeconds?: number } };
    const deadlineMs = (raw.server.shutdownSeconds ?? 20) * 1000;
    const configFile = path.join(dir, 'sp-link.yaml');
    await writeFile(configFile, stringifyYaml(raw));
    const dataDir = path.join(dir, 'data');
    const port = await freePort();
    const stopMs: number[] = [];
    const exitCodes: number[] = [];
    const confirmed: string[] = [];
    let notExited = 0;
    for (let cycle = 0; cycle < o.cycles; cycle++) {
      const inst = await start(configFile, dataDir, port);
      const stop = { now: false };
      const working = work(inst.url, o.gps, stop);
      // Into the work: launches done, a referral confirmed, more being written and delivered. Gated on that first
      // referral rather than on time alone, so a slow machine still stops the instance in the middle of its work.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([working.progress, new Promise((r) => (timer = setTimeout(r, PROGRESS_WAIT_MS)))]);
      clearTimeout(timer);
      await sleep(random() * 2500);
      inst.child.stdout.destroy();
      const t0 = performance.now();
      const cpu0 = await schedStat(inst.child.pid);
      inst.child.kill('SIGTERM');
      const deadline = sleep(deadlineMs + 1000).then(() => 'deadline' as const);
      const result = await Promise.race([inst.exited, deadline]);
      stop.now = true;
      if (result === 'deadline' || result.code !== 0) {
        // Why it stopped late or failed: what it said on stderr (stdout is closed, as when nobody reads the log) and,
        // when it is still there, whether its main thread was working (a blocked event loop) or waiting for a CPU.
        const cpu1 = result === 'deadline' ? await schedStat(inst.child.pid) : undefined;
        const sched = cpu0 && cpu1 ? `; since SIGTERM its main thread ran ${Math.round(cpu1.runMs - cpu0.runMs)} ms and waited ${Math.round(cpu1.waitMs - cpu0.waitMs)} ms for a CPU` : '';
        process.stderr.write(`shutdown cycle ${cycle + 1}: ${result === 'deadline' ? 'not exited by the deadline' : `exit ${result.code ?? result.signal}`}${sched}; its stderr ended:\n${inst.stderr().slice(-1500)}\n`);
      }
      if (result === 'deadline') {
        notExited++;
        inst.child.kill('SIGKILL');
        await inst.exited;
        exitCodes.push(-1);
      } else {
        stopMs.push(performance.now() - t0);
        exitCodes.push(result.code ?? -1);
      }
      confirmed.push(...(await working.done).confirmed);
    }
    // Up once more: outbox rows left ready by a stop are delivered now.
    const inst = await start(configFile, dataDir, port);
    let halfWritten = 0;
    let duplicated = 0;
    try {
      const settle = performance.now() + 120_000;
      for (;;) {
        await (await fetch(`${inst.url}/admin/api/reconcile/run`, { method: 'POST', headers: ADMIN })).arrayBuffer();
        halfWritten = 0;
        duplicated = 0;
        for (const id of confirmed) {
          const srs = await countByIdentifier(inst.url, 'ehr', 'ServiceRequest', id);
          const tasks = await countByIdentifier(inst.url, 'lw', 'Task', id);
          if (srs !== 1 || tasks === 0) halfWritten++;
          if (srs > 1 || tasks > 1) duplicated++;
        }
        if (halfWritten === 0 || performance.now() > settle) break;
        await sleep(2000);
      }
    } finally {
      inst.child.kill('SIGTERM');
      await inst.exited;
    }
    return { cycles: o.cycles, deadlineMs, stopMs, notExited, exitCodes, referralsConfirmed: confirmed.length, halfWritten, duplicated };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
