import { constants } from 'node:os';
import path from 'node:path';
import { registerInstance } from '../config/instance-file.js';
import { loadConfig } from '../config/load.js';
import { EXIT } from '../errors.js';
import { logger, logOutput } from '../observability/logger.js';
import { AppBuildError, ensureAppBundle } from '../smart/app-bundle.js';
import { ensurePgliteCluster } from '../store/pglite-init.js';
import { banner } from './banner.js';

/**
 * `sp-link start`: runs until SIGTERM/SIGINT, then shuts down within `server.shutdownSeconds`. Returns -1 (keep
 * running). Everything it tells the person who started it goes through the log output (asynchronous, bounded), so a
 * terminal that stops reading or a closed stdout can neither block nor crash it.
 */
export async function runStart(configFile: string): Promise<number> {
  const started = performance.now();
  // A closed stdout or stderr (the terminal went away, `| head`) is not a reason to stop serving.
  for (const s of [process.stdout, process.stderr]) s.on('error', () => undefined);
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
    if ((await appBundle) === 'built') logOutput.text('Built the GP app (dist/smart-app).\n');
  } catch (err) {
    await system.stop({ drainMs: 0 });
    if (err instanceof AppBuildError) {
      process.stderr.write(`${err.message}\n`);
      return EXIT.failed;
    }
    throw err;
  }
  logOutput.text(banner(system.config, system.url, performance.now() - started));
  // So `sp-link doctor`, `dead-letters` and `reconcile` with this --config find this instance (PORT, data directory).
  const unregister = registerInstance(configFile, system.url, config.dataDir);
  process.on('exit', unregister);

  const deadlineMs = config.server.shutdownSeconds * 1000;
  let stopping = false;
  const exit = async (code: number) => {
    // Whatever is still buffered gets a moment to reach a reader that is still there; never more.
    await logOutput.drain(500);
    process.exit(code);
  };
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`${signal} received again: exiting now.\n`);
      process.exit(128 + (constants.signals[signal] ?? 0));
    }
    stopping = true;
    process.stderr.write(`${signal} received: finishing in-flight work, then stopping (at most ${config.server.shutdownSeconds} s; ${signal === 'SIGINT' ? 'Ctrl+C' : signal} again to stop at once)…\n`);
    // The deadline holds whatever hangs: a request that never ends, a reconcile run waiting on an endpoint that
    // does not answer, a store that does not close. What is abandoned is safe to abandon: the endpoint lease
    // expires and another run takes over, and every write-back is idempotent.
    const deadline = setTimeout(() => {
      logger.error({ deadlineSeconds: config.server.shutdownSeconds }, 'shutdown deadline passed: abandoning in-flight work and exiting');
      process.stderr.write(`Stopped at the ${config.server.shutdownSeconds} s deadline with work still in flight; it is safe to start again.\n`);
      void exit(EXIT.failed);
    }, deadlineMs);
    deadline.unref();
    system.stop({ drainMs: Math.floor(deadlineMs / 2) }).then(
      () => exit(EXIT.ok),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        void exit(EXIT.failed);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  return -1;
}
