/** Runs SUSHI offline on a project folder and fails on any error or warning. */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** SUSHI's CLI entry, run with the current Node (24), not whatever `node` is first on PATH. */
function sushiEntry(): string {
  return join(dirname(require.resolve('fsh-sushi')), 'app.js');
}

export interface SushiRun {
  readonly log: string;
  readonly errors: number;
  readonly warnings: number;
}

/** `sushi build <project> -s -o <out>` with HOME pointing at the offline package cache. */
export async function runSushi(projectDir: string, outDir: string, home: string): Promise<SushiRun> {
  const child = spawn(process.execPath, [sushiEntry(), 'build', projectDir, '-s', '-o', outDir], {
    env: { ...process.env, HOME: home, USERPROFILE: home, FORCE_COLOR: '0', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  });
  const summary = /(\d+) Errors?\s+(\d+) Warnings?/.exec(log);
  const errors = summary ? Number(summary[1]) : Math.max(code, 1);
  const warnings = summary ? Number(summary[2]) : 0;
  const problems = log.split('\n').filter((l) => /^(error|warn)\s/.test(l));
  if (code !== 0 || errors > 0 || warnings > 0 || problems.length > 0 || !summary) {
    throw new Error(`SUSHI reported ${errors} error(s) and ${warnings} warning(s) (exit ${code}):\n${problems.join('\n') || log.slice(-4000)}`);
  }
  return { log, errors, warnings };
}
