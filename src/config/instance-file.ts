import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * How the CLI finds the running instance of a configuration. `sp-link start` records where it runs (its URL and the
 * environment variables that place it: PORT, HOST, SP_LINK_DATA_DIR) in a file named after the configuration file,
 * in a directory only this user can read; `sp-link doctor`, `dead-letters` and `reconcile` with the same `--config`
 * read it, so `PORT=4000 npm start` needs no `PORT=4000` before every later command. No secret is written: the admin
 * token comes from the configuration as always.
 */
export const LOCATION_VARIABLES = ['PORT', 'HOST', 'SP_LINK_DATA_DIR'] as const;

export interface RunningInstance {
  pid: number;
  url: string;
  configFile: string;
  startedAt: string;
  /** Its data directory (absolute): the embedded store and sandbox data belong to it. */
  dataDir: string;
  /** The location variables the instance was started with (only those that were set). */
  env: Partial<Record<(typeof LOCATION_VARIABLES)[number], string>>;
}

/** The user's runtime directory for SP Link ($XDG_RUNTIME_DIR, else the temporary directory, per user). */
export function instanceDir(): string {
  const base = process.env.XDG_RUNTIME_DIR ?? os.tmpdir();
  return path.join(base, `sp-link-${process.getuid?.() ?? os.userInfo().username}`);
}

function canonical(configFile: string): string {
  try {
    return realpathSync(configFile);
  } catch {
    return path.resolve(configFile);
  }
}

export function instanceFile(configFile: string, dir = instanceDir()): string {
  return path.join(dir, `${createHash('sha256').update(canonical(configFile)).digest('hex').slice(0, 16)}.json`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Records this process as the running instance of `configFile`; returns the function that removes the record. */
export function registerInstance(configFile: string, url: string, dataDir: string, env: NodeJS.ProcessEnv = process.env, dir = instanceDir()): () => void {
  const file = instanceFile(configFile, dir);
  const record: RunningInstance = {
    pid: process.pid,
    url,
    configFile: canonical(configFile),
    startedAt: new Date().toISOString(),
    dataDir: path.resolve(dataDir),
    env: Object.fromEntries(LOCATION_VARIABLES.filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]!])),
  };
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(record, null, 2), { mode: 0o600 });
  } catch {
    return () => undefined; // Finding the instance is a convenience: never a reason not to run.
  }
  return () => {
    try {
      const current = JSON.parse(readFileSync(file, 'utf8')) as RunningInstance;
      if (current.pid === process.pid) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
}

/** The running instance of `configFile`, if one is recorded and its process is alive. */
export function findInstance(configFile: string, dir = instanceDir()): RunningInstance | undefined {
  const file = instanceFile(configFile, dir);
  let record: RunningInstance;
  try {
    record = JSON.parse(readFileSync(file, 'utf8')) as RunningInstance;
  } catch {
    return undefined;
  }
  if (!Number.isInteger(record.pid) || !alive(record.pid)) return undefined;
  return record;
}

/** The running instance of `configFile` that owns `dataDir`, if any: what a command must not touch behind its back. */
export function instanceOwning(configFile: string, dataDir: string, dir = instanceDir()): RunningInstance | undefined {
  const found = findInstance(configFile, dir);
  return found && found.dataDir === path.resolve(dataDir) ? found : undefined;
}

/**
 * Gives a CLI command the running instance's location: each location variable the user has not set is taken from
 * the instance of the same configuration file. Returns the instance found, if any.
 */
export function adoptRunningInstance(configFile: string, env: NodeJS.ProcessEnv = process.env, dir = instanceDir()): RunningInstance | undefined {
  const found = findInstance(configFile, dir);
  if (!found) return undefined;
  for (const k of LOCATION_VARIABLES) if (env[k] === undefined && found.env[k] !== undefined) env[k] = found.env[k];
  return found;
}
