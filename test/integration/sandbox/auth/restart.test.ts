import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { parseConfig } from '../../../../src/config/load.js';
import { startSystem, type System } from '../../../../src/system.js';
import { ehrAuthorizationRequest, followToRedirectUri, gpAppClient } from './browser-flow.js';

const SCOPE = 'launch openid fhirUser offline_access patient/Patient.r patient/Observation.rs';

/** `npm start` on a given port and data directory (embedded PGlite on disk), without background work. */
async function start(dataDir: string, port = 0): Promise<System> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const file = path.resolve('config/default.yaml');
  const env = { ...process.env, PORT: String((server.address() as AddressInfo).port), SP_LINK_DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: '' };
  return startSystem({ config: parseConfig(await readFile(file, 'utf8'), file, env), server, background: false });
}

describe('sandbox EHR authorization server across a restart (integration)', () => {
  let dataDir: string;
  let system: System | undefined;

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'sp-link-restart-'));
  });
  after(async () => {
    await system?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps the GP's refresh token and launch context working after SP Link restarts on the same data directory", async () => {
    system = await start(dataDir);
    const port = (system.server.address() as AddressInfo).port;
    const app = { ehrBase: `${system.config.server.publicUrl.replace(/\/+$/, '')}/sandbox/ehr/fhir`, config: system.config };
    const patient = (await system.sandbox!.ehr.repo.searchResources({ resourceType: 'Patient' }))[0]!.id!;
    const practitioner = (await system.sandbox!.ehr.repo.searchResources({ resourceType: 'Practitioner' }))[0]!.id!;
    const launch = system.sandbox!.auth.createLaunch({ patient, practitioner });

    const before = await gpAppClient(app);
    const { url, verifier, state } = await ehrAuthorizationRequest(app, before.config, { scope: SCOPE, redirectUri: before.redirectUri, launch });
    const callback = await followToRedirectUri(url, before.redirectUri);
    const issued = await client.authorizationCodeGrant(before.config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    expect(issued.refresh_token).to.be.a('string');

    await system.stop();
    system = undefined;
    system = await start(dataDir, port);

    const after = await gpAppClient(app);
    const refreshed = await client.refreshTokenGrant(after.config, issued.refresh_token!);
    expect(refreshed.patient).to.equal(patient);
    expect(refreshed.fhirUser).to.equal(`${app.ehrBase}/Practitioner/${practitioner}`);
    expect(decodeJwt(refreshed.access_token).patient).to.equal(patient);
    const read = await fetch(`${app.ehrBase}/Patient/${patient}`, { headers: { authorization: `Bearer ${refreshed.access_token}` } });
    expect(read.status).to.equal(200);
    expect(((await read.json()) as { id: string }).id).to.equal(patient);
  });
});
