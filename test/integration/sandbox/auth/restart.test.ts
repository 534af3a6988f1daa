import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { startTestSystem, type TestSystem } from '../../../helpers/system.js';
import { ehrAuthorizationRequest, followToRedirectUri, gpAppClient } from './browser-flow.js';

const SCOPE = 'launch openid fhirUser offline_access patient/Patient.r patient/Observation.rs';

describe('sandbox EHR authorization server across a restart (integration)', () => {
  let dataDir: string;
  let system: TestSystem | undefined;

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'sp-link-restart-'));
  });
  after(async () => {
    await system?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps the GP's refresh token and launch context working after SP Link restarts on the same data directory", async () => {
    system = await startTestSystem({ dataDir, background: false });
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
    system = await startTestSystem({ dataDir, port, background: false });

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
