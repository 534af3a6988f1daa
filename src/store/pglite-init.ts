import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** Runs in a worker thread: creates the cluster (initdb) in the directory and closes it again. */
const INIT_WORKER = `
const { workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.module);
PGlite.create(workerData.dataDir).then((pg) => pg.close());
`;

const pending = new Map<string, Promise<void>>();

/**
 * Makes sure a PGlite data directory holds an initialised cluster. A new one needs initdb, which takes several
 * seconds of CPU inside PGlite's WebAssembly; running it in a worker thread lets the rest of start-up (module
 * loading, FHIR definitions, the sandbox) use the other core meanwhile. An existing cluster is left alone.
 * Idempotent per directory: `sp-link start` calls it early, `openDb` awaits the same promise.
 */
export function ensurePgliteCluster(dataDir: string): Promise<void> {
  const dir = path.resolve(dataDir);
  let p = pending.get(dir);
  if (!p) {
    p = existsSync(path.join(dir, 'PG_VERSION')) ? Promise.resolve() : initInWorker(dir);
    pending.set(dir, p);
    p.catch(() => pending.delete(dir)); // a failed attempt is retried by the next caller
  }
  return p;
}

async function initInWorker(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const module = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  await new Promise<void>((resolve, reject) => {
    const worker = new Worker(INIT_WORKER, { eval: true, workerData: { module, dataDir }, execArgv: [] });
    let failure: unknown;
    worker.once('error', (err) => (failure = err));
    worker.once('exit', (code) => {
      if (failure !== undefined || code !== 0) reject(new Error(`PGlite initdb in ${dataDir} failed: ${failure instanceof Error ? failure.message : `exit code ${code}`}`));
      else resolve();
    });
  });
}
