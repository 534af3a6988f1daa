import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { expect } from 'chai';
import express from 'express';
import { exportPKCS8 } from 'jose';
import type { Config, FhirAuthConfig } from '../../../src/config/schema.js';
import { renderDoctorReport, runDoctor, type DoctorReport } from '../../../src/doctor/index.js';
import { BACKEND_CLIENT_ID, BACKEND_KID, startFhirFixture, type FhirFixture } from '../fhir/fhir-fixture.js';

type Endpoints = Pick<Config, 'tenants' | 'linkWorkerEndpoints'>;

function tenant(id: string, fhirBase: string, auth: FhirAuthConfig): Config['tenants'][number] {
  return {
    id,
    name: id,
    ehr: { fhirBase, auth },
    smart: { clientId: 'sp-link', clientSecret: 'app-secret-do-not-print', issAllowlist: [fhirBase], scopes: 'launch openid fhirUser' },
    frameAncestors: [],
    linkWorkerEndpoint: 'lw',
  };
}

function linkWorker(id: string, fhirBase: string, auth: FhirAuthConfig, organizationOdsCode: string | undefined = 'Y00050'): Config['linkWorkerEndpoints'][number] {
  return { id, name: id, fhirBase, auth, subscriptions: { enabled: false }, directReferrals: [], hosted: false, backendClients: [], ...(organizationOdsCode ? { organizationOdsCode } : {}) };
}

function find(report: DoctorReport, endpoint: string, check: string) {
  const c = report.checks.find((x) => x.endpoint === endpoint && x.check === check);
  if (!c) throw new Error(`no check "${check}" for ${endpoint}: ${report.checks.map((x) => `${x.endpoint}/${x.check}`).join(', ')}`);
  return c;
}

async function listen(app: express.Express): Promise<{ url: string; close: () => Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('sp-link doctor', function () {
  let fx: FhirFixture;
  let pem: string;

  before(async () => {
    fx = await startFhirFixture();
    pem = await exportPKCS8(fx.keys.privateKey);
  });
  after(async () => {
    await fx?.close();
  });

  const EHR_SCOPE = 'system/ServiceRequest.rus system/Observation.crus system/Communication.cr system/Flag.cr system/Provenance.c system/Patient.rs system/Encounter.rs';
  const LW_SCOPE = 'system/Task.crus system/Observation.rs system/HealthcareService.rs system/Provenance.c';
  const backend = (scope: string): FhirAuthConfig => ({ type: 'smart-backend', clientId: BACKEND_CLIENT_ID, scope, kid: BACKEND_KID, alg: 'RS384', privateKey: pem });

  it('passes every check against a conformant endpoint (sandbox FHIR server + SMART backend auth)', async () => {
    const config: Endpoints = { tenants: [tenant('riverside', fx.base, backend(EHR_SCOPE))], linkWorkerEndpoints: [linkWorker('lw', fx.base, backend(LW_SCOPE))] };
    // Plain http to loopback is the sandbox's privilege: this test runs in sandbox mode.
    const report = await runDoctor({ ...config, sandbox: { enabled: true, allowInsecureDeveloperClient: false, dialects: { ehr: 'sp-link', lw: 'sp-link' } } });
    const failed = report.checks.filter((c) => c.status === 'FAIL');
    expect(failed, JSON.stringify(failed, null, 2)).to.deep.equal([]);
    expect(report.ok).to.equal(true);
    for (const check of [
      'reachable: GET /metadata',
      'CapabilityStatement: FHIR 4.0.1',
      'supports transaction',
      'conditional create (Task)',
      'versioned update (Task)',
      '_lastUpdated search (Task)',
      'SMART configuration',
      'SMART: private_key_jwt',
      'backend token obtainable',
      'backend scopes cover SP Link’s work',
      'polling search works (Task by _lastUpdated)',
      'referral routes: every directory service reaches a caseload',
    ]) {
      expect(find(report, 'link-worker:lw', check).status, check).to.equal('PASS');
    }
    for (const check of ['SMART: issuer', 'SMART: PKCE S256', 'SMART: capabilities', 'SMART: EHR base on issAllowlist', 'versioned update (ServiceRequest)', 'conditional create (Observation)', 'backend scopes cover SP Link’s work']) {
      expect(find(report, 'ehr:riverside', check).status, check).to.equal('PASS');
    }
    const text = renderDoctorReport(report);
    expect(text).to.match(/: OK$/);
  });

  it('fails a link-worker endpoint whose referrals nobody would see, and reports where each directory service goes', async () => {
    const lw = { ...linkWorker('lw', fx.base, backend(LW_SCOPE), ''), directReferrals: [{ via: 'workspace' as const, organization: 'Organization/org-x', odsCode: 'Y00071', name: 'Provider X' }] };
    const sandbox = { enabled: true, allowInsecureDeveloperClient: false, dialects: { ehr: 'sp-link' as const, lw: 'sp-link' as const } };
    const unowned = await runDoctor({ tenants: [tenant('riverside', fx.base, backend(EHR_SCOPE))], linkWorkerEndpoints: [lw], sandbox }, { readOnly: true });
    expect(find(unowned, 'link-worker:lw', 'referral routes: every directory service reaches a caseload').status).to.equal('FAIL');
    expect(find(unowned, 'link-worker:lw', 'referral routes: every directory service reaches a caseload').detail).to.match(/nobody would see referrals at link-worker endpoint "lw"/);
    expect(unowned.ok).to.equal(false);
    const owned = await runDoctor({ tenants: [tenant('riverside', fx.base, backend(EHR_SCOPE))], linkWorkerEndpoints: [{ ...lw, organizationOdsCode: 'Y00050' }], sandbox }, { readOnly: true });
    expect(find(owned, 'link-worker:lw', 'referral routes: every directory service reaches a caseload').status).to.equal('PASS');
    expect(find(owned, 'link-worker:lw', 'referral routes: direct provider Provider X offers a service')).to.deep.include({ status: 'WARN', detail: 'no directory service is provided by Organization/org-x or ODS Y00071' });
  });

  it('fails a broken setup with a reason and a fix for each problem, and prints no secrets', async () => {
    // 404 for /metadata: an HTTP server that is not a FHIR server.
    const notFhir = await listen(express());
    // A FHIR server of the wrong version without transactions or conditional create.
    const stu3 = express();
    stu3.get('/fhir/metadata', (_req, res) => {
      res.json({ resourceType: 'CapabilityStatement', fhirVersion: '3.0.2', rest: [{ mode: 'server', resource: [{ type: 'Task', versioning: 'versioned' }] }] });
    });
    const old = await listen(stu3);
    // Connection refused: a port nothing listens on.
    const gone = await listen(express());
    await gone.close();

    const badKey: FhirAuthConfig = { type: 'client-credentials', clientId: 'sp-link', clientSecret: 'lw-secret-do-not-print', scope: 'system/Task.crus', tokenUrl: `${fx.origin}/auth/token` };
    const config: Endpoints = {
      tenants: [tenant('not-fhir', `${notFhir.url}/fhir`, { type: 'none' })],
      linkWorkerEndpoints: [linkWorker('old', `${old.url}/fhir`, { type: 'none' }), linkWorker('gone', `${gone.url}/fhir`, badKey)],
    };
    try {
      const report = await runDoctor(config, { timeoutMs: 3000 });
      expect(report.ok).to.equal(false);

      const notFound = find(report, 'ehr:not-fhir', 'reachable: GET /metadata');
      expect(notFound.status).to.equal('FAIL');
      expect(notFound.detail).to.contain('404');
      expect(notFound.fix).to.contain('FHIR base URL');
      expect(find(report, 'ehr:not-fhir', 'SMART configuration').status).to.equal('FAIL');

      const version = find(report, 'link-worker:old', 'CapabilityStatement: FHIR 4.0.1');
      expect(version).to.deep.include({ status: 'FAIL', detail: 'fhirVersion 3.0.2' });
      // Declarations alone warn; the probe that tries a transaction fails (this server has none).
      expect(find(report, 'link-worker:old', 'supports transaction').status).to.equal('WARN');
      expect(find(report, 'link-worker:old', 'transaction works').status).to.equal('FAIL');
      expect(find(report, 'link-worker:old', 'conditional create (Task)').status).to.equal('WARN');
      expect(find(report, 'link-worker:old', 'https everywhere'), 'plain http outside sandbox mode').to.deep.include({ status: 'FAIL' });
      expect(find(report, 'link-worker:old', 'https everywhere').fix).to.contain('https://');
      expect(find(report, 'link-worker:old', 'versioned update (Task)').detail).to.equal('Task.versioning = versioned');
      expect(find(report, 'link-worker:old', 'backend token obtainable').status).to.equal('SKIP');

      const refused = find(report, 'link-worker:gone', 'reachable: GET /metadata');
      expect(refused).to.deep.include({ status: 'FAIL', detail: 'connection refused' });
      expect(refused.fix).to.contain('Nothing is listening');
      // The token endpoint rejects this client (it only accepts private_key_jwt from the backend client).
      const token = find(report, 'link-worker:gone', 'backend token obtainable');
      expect(token.status).to.equal('FAIL');
      expect(token.fix).to.contain('clientSecret');
      // Task only: the reconciler could not read outcome measures nor the GP app the directory.
      const scopes = find(report, 'link-worker:gone', 'backend scopes cover SP Link’s work');
      expect(scopes.status).to.equal('FAIL');
      expect(scopes.detail).to.contain('Observation lacks rs').and.contain('HealthcareService lacks rs');
      expect(scopes.fix).to.contain('system/Observation.rs');

      const text = renderDoctorReport(report);
      expect(text).to.match(/ehr:not-fhir\s+reachable: GET \/metadata\s+FAIL/);
      expect(text).to.contain('How to fix:').and.contain('[FAIL] link-worker:old: CapabilityStatement: FHIR 4.0.1');
      expect(text).to.contain('NOT OK');
      for (const secret of ['app-secret-do-not-print', 'lw-secret-do-not-print', 'PRIVATE KEY', 'tok-']) expect(text).to.not.contain(secret);
    } finally {
      await notFhir.close();
      await old.close();
    }
  });
});
