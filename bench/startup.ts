/**
 * Start-up time of `npm start` (`node --import tsx src/cli.ts start`): from spawn to the banner line and to the first
 * 200 from /readyz, for a first start (empty data dir: keys, seed, migrations) and a restart on the same data dir.
 * Absolute times depend on the machine and its load; the load average is printed alongside.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/helpers/http.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BANNER = /SP Link is up on /;
const GIVE_UP_MS = 120_000;

export interface StartupTiming {
  bannerMs: number;
  readyMs: number;
}

export async function run(print: (name: string, value: string | number) => void): Promise<void> {
  const rounds = Math.max(1, Number(process.env.STARTUP_BENCH_ROUNDS ?? 1));
  print('startup_load_average_1m', os.loadavg()[0]!.toFixed(2));
  for (let round = 0; round < rounds; round++) {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sp-link-startup-'));
    try {
      for (const phase of ['first_start', 'restart'] as const) {
        const t = await measureStartup(dataDir);
        const suffix = rounds > 1 ? `_${round + 1}` : '';
        print(`startup_to_banner_ms_${phase}${suffix}`, Math.round(t.bannerMs));
        print(`startup_to_ready_ms_${phase}${suffix}`, Math.round(t.readyMs));
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
}

/** One start: spawn, wait for the banner and a 200 from /readyz, then SIGTERM and wait for exit. */
export async function measureStartup(dataDir: string): Promise<StartupTiming> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start', '--config', 'config/default.yaml'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), SP_LINK_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const bannerMs = await Promise.race([
      waitForBanner(child).then(() => performance.now() - started),
      exited.then((code) => {
        throw new Error(`sp-link start exited with ${code} before the banner:\n${stderr}`);
      }),
    ]);
    await waitForReady(port, started);
    return { bannerMs, readyMs: performance.now() - started };
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
}

function waitForBanner(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (BANNER.test(out)) {
        child.stdout!.off('data', onData);
        child.stdout!.resume(); // keep draining so the child never blocks on a full pipe
        resolve();
      }
    };
    child.stdout!.on('data', onData);
  });
}

async function waitForReady(port: number, started: number): Promise<void> {
  for (;;) {
    if (performance.now() - started > GIVE_UP_MS) throw new Error(`/readyz not 200 within ${GIVE_UP_MS} ms`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

