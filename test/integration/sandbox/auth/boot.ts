import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Resource } from '@medplum/fhirtypes';
import { parseConfig } from '../../../../src/config/load.js';
import type { Config } from '../../../../src/config/schema.js';
import { createSandboxAuth, type SandboxAuth } from '../../../../src/sandbox/auth/index.js';
import { createSandboxFhirServer, type SandboxFhirServer } from '../../../../src/sandbox/fhir/index.js';
import { ehrSeed, lwSeed } from '../../../../src/sandbox/demo/index.js';
import { sandboxEhrUiRouter } from '../../../../src/sandbox/ehr-ui/index.js';
import { createSandboxIdp } from '../../../../src/sandbox/idp/index.js';
import { openDb, type Db } from '../../../../src/store/db.js';
import { OidcStore } from '../../../../src/store/oidc-adapter.js';

export interface AuthTestApp {
  url: string;
  ehrBase: string;
  lwBase: string;
  config: Config;
  auth: SandboxAuth;
  ehr: SandboxFhirServer;
  lw: SandboxFhirServer;
  dataDir: string;
  /** In-memory PGlite holding the authorization servers' grants, tokens and sessions. */
  db: Db;
  stop(): Promise<void>;
}

/** A small fixed record: two patients with one resource each, and a GP. */
export const EHR_FIXTURE: Resource[] = [
  { resourceType: 'Practitioner', id: 'gp-test', name: [{ family: 'Test', given: ['Gee'] }] },
  { resourceType: 'Patient', id: 'pat-a', name: [{ family: 'Alpha' }], birthDate: '1950-01-01' },
  { resourceType: 'Patient', id: 'pat-b', name: [{ family: 'Beta' }], birthDate: '1960-01-01' },
  { resourceType: 'Observation', id: 'obs-a', status: 'final', code: { text: 'a' }, subject: { reference: 'Patient/pat-a' } },
  { resourceType: 'Observation', id: 'obs-b', status: 'final', code: { text: 'b' }, subject: { reference: 'Patient/pat-b' } },
] as Resource[];

export const LW_FIXTURE: Resource[] = [
  { resourceType: 'Organization', id: 'lw-org', name: 'Links' },
  { resourceType: 'Task', id: 'task-1', status: 'requested', intent: 'order', for: { reference: 'Patient/pat-a' } },
] as Resource[];

/**
 * Boots the sandbox auth servers and both sandbox FHIR servers (protected) in one express app on an
 * ephemeral loopback port, configured from config/default.yaml; `tweak` edits the parsed config.
 */
export async function bootAuthApp(tweak: (c: Config) => Config = (c) => c, opts: { demo?: boolean; idp?: boolean } = {}): Promise<AuthTestApp> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sp-link-auth-test-'));
  const file = path.resolve('config/default.yaml');
  const env = { ...process.env, PORT: String(port), SP_LINK_DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: '' };
  const config = tweak(parseConfig(await readFile(file, 'utf8'), file, env));
  const url = `http://localhost:${port}`;
  const ehrBase = `${url}/sandbox/ehr/fhir`;
  const lwBase = `${url}/sandbox/lw/fhir`;

  const db = await openDb({ memory: true });
  const store = new OidcStore(db, { secret: config.server.sessionSecret });
  const auth = await createSandboxAuth({ config, dataDir, ehrBase, lwBase, store });
  const urls = { ehr: ehrBase, lw: lwBase };
  const ehr = await createSandboxFhirServer({ name: 'ehr', baseUrl: ehrBase, seed: () => (opts.demo ? ehrSeed(urls) : EHR_FIXTURE), authorize: auth.ehrAuthorize, security: auth.ehrSecurity });
  const lw = await createSandboxFhirServer({ name: 'lw', baseUrl: lwBase, seed: () => (opts.demo ? lwSeed(urls) : LW_FIXTURE), authorize: auth.lwAuthorize, security: auth.lwSecurity });
  auth.attachServers({ ehr, lw });

  const app = express();
  app.use(auth.router);
  app.use(sandboxEhrUiRouter({ ehr, publicUrl: config.server.publicUrl, createLaunch: auth.createLaunch }));
  const idp = opts.idp ? await createSandboxIdp({ config, dataDir, lwBase, store }) : undefined;
  if (idp) app.use(idp.router);
  app.use('/sandbox/ehr/fhir', ehr.router);
  app.use('/sandbox/lw/fhir', lw.router);
  server.on('request', app);

  return {
    url,
    ehrBase,
    lwBase,
    config,
    auth,
    ehr,
    lw,
    dataDir,
    db,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([ehr.close(), lw.close(), auth.close(), idp?.close()]);
      store.close();
      await db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
