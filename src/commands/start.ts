import path from 'node:path';
import { loadConfig } from '../config/load.js';
import { AppBuildError, ensureAppBundle } from '../smart/app-bundle.js';
import { ensurePgliteCluster } from '../store/pglite-init.js';
import { banner } from './banner.js';

/** `sp-link start`: runs until SIGTERM/SIGINT, then shuts down gracefully. Returns -1 (keep running). */
export async function runStart(configFile: string): Promise<number> {
  const started = performance.now();
  const config = await loadConfig(configFile);
  // A new embedded store needs initdb (seconds of CPU): begin it now, so it overlaps the rest of the system's
  // loading I/O; openDb waits for it and reports any failure.
  if (!config.store.databaseUrl) ensurePgliteCluster(path.join(config.dataDir, 'pglite')).catch(() => undefined);
  // The GP app bundle is built here when missing or stale (~1 s, in a child process), so a fresh clone needs no
  // separate build step.
  const appBundle = ensureAppBundle();
  appBundle.catch(() => undefined);
  const { startSystem } = await import('../system.js');
  const system = await startSystem({ config });
  try {
    if ((await appBundle) === 'built') process.stdout.write('Built the GP app (dist/smart-app).\n');
  } catch (err) {
    await system.stop({ drainMs: 0 });
    if (err instanceof AppBuildError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
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
