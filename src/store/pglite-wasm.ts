import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import v8 from 'node:v8';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';

// V8 frees the machine code of WebAssembly instances it considers dead; with many PGlite instances opened and
// closed in one process it has aborted while doing so ("Check failed: jit_page_->allocations_.erase(addr)" in
// UnregisterWasmAllocation). The shared module below is never dead, so keeping wasm code costs nothing here.
// Set before any module is compiled.
v8.setFlagsFromString('--no-wasm-code-gc');

interface CompiledPglite {
  pgliteWasmModule: WebAssembly.Module;
  initdbWasmModule: WebAssembly.Module;
  fsBundle: Blob;
}
let compiled: Promise<CompiledPglite> | undefined;

/**
 * PGlite's WebAssembly, compiled once per process and shared by every instance. Left to itself, each
 * `PGlite.create` compiles its 9 MB module (and initdb's) afresh, and each closed instance frees that machine
 * code again; a process that opens many databases (the test suites, the sandbox's servers) churned through
 * hundreds of compilations, and V8 has crashed while freeing such code ("Check failed:
 * jit_page_->allocations_.erase(addr)" in UnregisterWasmAllocation). One shared module is compiled, tiered
 * up and kept once, and opening a database skips compilation altogether.
 */
function compiledPglite(): Promise<CompiledPglite> {
  compiled ??= (async () => {
    const dist = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
    const [pglite, initdb, data] = await Promise.all(
      ['pglite.wasm', 'initdb.wasm', 'pglite.data'].map((f) => readFile(path.join(dist, f))),
    );
    return {
      pgliteWasmModule: await WebAssembly.compile(pglite!),
      initdbWasmModule: await WebAssembly.compile(initdb!),
      fsBundle: new Blob([data!]),
    };
  })();
  compiled.catch(() => (compiled = undefined)); // a failed read or compile is retried by the next open
  return compiled;
}

export async function createPglite(opts: Pick<PGliteOptions, 'dataDir' | 'loadDataDir'> = {}): Promise<PGlite> {
  return PGlite.create({ ...opts, ...(await compiledPglite()) });
}

