import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createPglite } from './pglite-wasm.js';

const pending = new Map<string, Promise<void>>();

/**
 * Makes sure a PGlite data directory holds an initialised cluster; an existing cluster is left alone.
 * Idempotent per directory: `sp-link start` calls it early, so initdb's CPU overlaps the rest of start-up's I/O,
 * and `openDb` awaits the same promise. initdb runs in this thread on the process's one compiled PGlite module:
 * a worker thread would compile and free a second copy of the WebAssembly, the pattern under which V8 has
 * aborted (see pglite-wasm.ts).
 */
export function ensurePgliteCluster(dataDir: string): Promise<void> {
  const dir = path.resolve(dataDir);
  let p = pending.get(dir);
  if (!p) {
    p = existsSync(path.join(dir, 'PG_VERSION')) ? Promise.resolve() : initCluster(dir);
    pending.set(dir, p);
    p.catch(() => pending.delete(dir)); // a failed attempt is retried by the next caller
  }
  return p;
}

async function initCluster(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  try {
    const pg = await createPglite({ dataDir });
    await pg.close();
  } catch (err) {
    throw new Error(`PGlite initdb in ${dataDir} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
