import { loadConfig } from '../config/load.js';
import { startSystem } from '../system.js';
import { banner } from './banner.js';

/** `sp-link start`: runs until SIGTERM/SIGINT, then shuts down gracefully. Returns -1 (keep running). */
export async function runStart(configFile: string): Promise<number> {
  const started = performance.now();
  const config = await loadConfig(configFile);
  const system = await startSystem({ config });
  process.stdout.write(banner(system.config, system.url, performance.now() - started));
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal} received: finishing in-flight work and shutting down…\n`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    system.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  return -1;
}
