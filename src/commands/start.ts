import path from 'node:path';
import { loadConfig } from '../config/load.js';
import { ensurePgliteCluster } from '../store/pglite-init.js';
import { banner } from './banner.js';

/** `sp-link start`: runs until SIGTERM/SIGINT, then shuts down gracefully. Returns -1 (keep running). */
export async function runStart(configFile: string): Promise<number> {
  const started = performance.now();
  const config = await loadConfig(configFile);
  // A new embedded store needs initdb (seconds of CPU): begin it in a worker thread now, while the rest of the
  // system loads; openDb waits for it and reports any failure.
  if (!config.store.databaseUrl) ensurePgliteCluster(path.join(config.dataDir, 'pglite')).catch(() => undefined);
  const { startSystem } = await import('../system.js');
  const system = await startSystem({ config });
  process.stdout.write(banner(system.config, system.url, performance.now() - started));
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      process.stdout.write(`\n${signal} received again: exiting now.\n`);
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`\n${signal} received: finishing in-flight work and shutting down (again to force)…\n`);
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    system.stop({ drainMs: 10_000 }).then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  return -1;
}
