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
  const { errors, warnings, problems } = sushiProblems(log, code);
  if (code !== 0 || errors > 0 || warnings > 0 || problems.length > 0) {
    throw new Error(`SUSHI reported ${errors} error(s) and ${warnings} warning(s) (exit ${code}):\n${problems.join('\n') || log.slice(-4000)}`);
  }
  return { log, errors, warnings };
}

/**
 * SUSHI's errors and warnings in its log, less its warning that it could not learn whether it is the latest SUSHI
 * (it asks the npm registry, which an offline or busy machine cannot answer in its 5 s): that says nothing of the
 * profiles, and failing on it made the build depend on the network.
 */
export function sushiProblems(log: string, code: number): { errors: number; warnings: number; problems: string[] } {
  const summary = /(\d+) Errors?\s+(\d+) Warnings?/.exec(log);
  const lines = log.split('\n').filter((l) => /^(error|warn)\s/.test(l));
  const aboutSushiItself = (l: string) => /^warn\s+Unable to determine the latest version of sushi/i.test(l);
  const problems = lines.filter((l) => !aboutSushiItself(l));
  if (!summary) return { errors: Math.max(code, 1), warnings: 0, problems: problems.length ? problems : ['no SUSHI summary in its output'] };
  return { errors: Number(summary[1]), warnings: Number(summary[2]) - lines.filter(aboutSushiItself).length, problems };
}
