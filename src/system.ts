import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Config } from './config/schema.js';
import { loadConfig } from './config/load.js';

/**
 * The composition root: opens the store, boots the sandbox (when enabled), builds the HTTP app and
 * starts the background services. Used by `sp-link start`, the CLI's other commands and the tests.
 * Each area exposes a `mount…`/`start…` function; this file only wires them in order.
 */
export interface System {
  readonly config: Config;
  /** Where this process is reachable, e.g. http://localhost:3000. */
  readonly url: string;
  readonly server: http.Server;
  stop(): Promise<void>;
}

export interface StartOptions {
  config?: Config;
  configFile?: string;
  /** An http.Server already listening (tests listen on port 0 first, then build the config). */
  server?: http.Server;
  /** false: no background work (reconciler schedule, subscriptions) — for CLI commands and some tests. */
  background?: boolean;
}

export async function startSystem(opts: StartOptions): Promise<System> {
  const config = opts.config ?? (await loadConfig(opts.configFile ?? 'config/default.yaml'));
  const server = opts.server ?? http.createServer();
  const closers: (() => Promise<void>)[] = [];

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.server.trustProxy);
  // --- areas are mounted here, in order (see docs/ARCHITECTURE.md) ---

  server.on('request', app);
  if (!server.listening) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.server.port, config.server.host, () => resolve());
    });
  }
  const { port } = server.address() as AddressInfo;
  let stopped = false;
  return {
    config,
    server,
    url: `http://localhost:${port}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const close of closers.reverse()) await close();
    },
  };
}
