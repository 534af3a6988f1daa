import type { Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { logger as rootLogger } from '../observability/logger.js';

export interface Closer {
  name: string;
  close(): Promise<void>;
}

export interface ShutdownOptions {
  server: Server;
  /** Run in order after the server has drained (background work first, the Db last). */
  closers?: Closer[];
  /** How long in-flight requests may take to finish before their connections are cut (ms). Default 10 s. */
  drainMs?: number;
  logger?: Logger;
  signals?: NodeJS.Signals[];
  /** Exit the process when done (default true for signal-triggered shutdown). */
  exit?: boolean;
}

export interface ShutdownHandle {
  /** Stops accepting, drains, closes everything. Idempotent. */
  shutdown(reason: string): Promise<void>;
  /** Removes the signal handlers (tests). */
  dispose(): void;
}

/**
 * Graceful shutdown on SIGTERM/SIGINT: stop accepting connections, let in-flight requests finish within
 * `drainMs`, then cut what remains and close the closers in order. A second signal exits at once.
 */
export function installShutdown(opts: ShutdownOptions): ShutdownHandle {
  const log = (opts.logger ?? rootLogger).child({ module: 'shutdown' });
  const drainMs = opts.drainMs ?? 10_000;
  let running: Promise<void> | undefined;

  async function shutdown(reason: string): Promise<void> {
    running ??= (async () => {
      log.info({ reason }, 'shutting down');
      const closed = new Promise<void>((resolve) => opts.server.close(() => resolve()));
      // Keep-alive sockets turn idle as their last response finishes; close each one as soon as it does,
      // and tell clients on still-open sockets not to reuse them.
      opts.server.on('request', (_req, res: ServerResponse) => res.setHeader('connection', 'close'));
      opts.server.closeIdleConnections();
      const sweeper = setInterval(() => opts.server.closeIdleConnections(), 50);
      sweeper.unref();
      let timer: NodeJS.Timeout | undefined;
      const cut = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          log.warn({ drainMs }, 'requests still running after the drain period; closing their connections');
          opts.server.closeAllConnections();
          resolve();
        }, drainMs);
        timer.unref();
      });
      await Promise.race([closed, cut]);
      clearTimeout(timer);
      clearInterval(sweeper);
      for (const c of opts.closers ?? []) {
        try {
          await c.close();
        } catch (err) {
          log.error({ err, closer: c.name }, 'error while closing');
        }
      }
      log.info('shutdown complete');
    })();
    return running;
  }

  const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
  const onSignal = (signal: NodeJS.Signals) => {
    if (running) {
      log.warn({ signal }, 'second signal; exiting now');
      process.exit(1);
    }
    void shutdown(signal).then(() => {
      if (opts.exit ?? true) process.exit(0);
    });
  };
  for (const s of signals) process.on(s, onSignal);
  return {
    shutdown,
    dispose: () => {
      for (const s of signals) process.off(s, onSignal);
    },
  };
}
