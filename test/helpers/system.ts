import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { startSystem, type System } from '../../src/system.js';

/** The configuration file as parsed YAML, typed loosely enough to edit sections in tests. */
export type RawConfig = Record<string, unknown> & {
  sandbox: Record<string, unknown>;
  reconcile: Record<string, unknown>;
  tenants: Record<string, Record<string, unknown>>[];
  linkWorkerEndpoints: Record<string, Record<string, unknown>>[];
};

/** Limits no functional test reaches from one loopback address. */
export const TEST_RATE_LIMITS = {
  login: { perIp: 100_000 },
  token: { perIp: 100_000, perClient: 100_000 },
  webhook: { perIp: 100_000, perEndpoint: 100_000 },
  forms: { perIp: 100_000, perAccount: 100_000 },
  referrals: { perIp: 100_000 },
};

export interface TestSystem extends System {
  dataDir: string;
}

/**
 * Boots the whole system from config/default.yaml on an ephemeral loopback port with a fresh data
 * directory (embedded PGlite, sandbox FHIR servers with demo data). `env` overrides variables. A restart test
 * passes its own `dataDir` (kept on stop: it owns it) and the `port` of the first start.
 */
export async function startTestSystem(
  options: {
    env?: NodeJS.ProcessEnv;
    background?: boolean;
    configFile?: string;
    dataDir?: string;
    port?: number;
    /** Import the directory feeds in the background on start, as `npm start` does (off by default: most suites do not need it). */
    directoryImportOnStart?: boolean;
    /** Changes the configuration file's content (before `${…}` substitution and validation), e.g. sandbox dialects. */
    edit?: (raw: RawConfig) => void;
  } = {},
): Promise<TestSystem> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'sp-link-test-')));
  const file = options.configFile ?? path.resolve('config/default.yaml');
  const env = { ...process.env, PORT: String(port), SP_LINK_DATA_DIR: dataDir, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', DATABASE_URL: '', ...options.env };
  let text = await readFile(file, 'utf8');
  const raw = parseYaml(text) as RawConfig;
  // Every test client is 127.0.0.1: suites get room for their own traffic; the attack suite sets real limits.
  raw.rateLimits ??= TEST_RATE_LIMITS;
  const feeds = (raw.directory as { feeds?: { importOnStart?: boolean }[] } | undefined)?.feeds ?? [];
  for (const f of feeds) f.importOnStart = options.directoryImportOnStart === true;
  options.edit?.(raw);
  text = stringifyYaml(raw);
  const config = parseConfig(text, file, env);
  const system = await startSystem({ config, server, background: options.background ?? true });
  return {
    ...system,
    dataDir,
    async stop() {
      await system.stop();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
