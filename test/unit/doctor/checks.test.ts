import { expect } from 'chai';
import type { CapabilityStatement } from '@medplum/fhirtypes';
import { checkBackendConfiguration, checkCapabilityStatement, checkEhrLaunchConfiguration, renderDoctorReport } from '../../../src/doctor/index.js';

const conformant: CapabilityStatement = {
  resourceType: 'CapabilityStatement',
  status: 'active',
  date: '2026-01-01',
  kind: 'instance',
  fhirVersion: '4.0.1',
  format: ['json'],
  rest: [
    {
      mode: 'server',
      interaction: [{ code: 'transaction' }],
      searchParam: [{ name: '_lastUpdated', type: 'date' }],
      resource: [
        { type: 'Task', conditionalCreate: true, versioning: 'versioned-update' },
        { type: 'ServiceRequest', versioning: 'versioned-update' },
        { type: 'Observation', conditionalCreate: true },
        { type: 'Communication', conditionalCreate: true },
      ],
    },
  ],
};

describe('doctor checks', () => {
  it('a conformant CapabilityStatement passes for both kinds of endpoint (_lastUpdated may be declared server-wide)', () => {
    for (const kind of ['ehr', 'link-worker'] as const) {
      const checks = checkCapabilityStatement('x', kind, conformant);
      expect(checks.filter((c) => c.status !== 'PASS'), kind).to.deep.equal([]);
    }
  });

  it('names each missing capability with a fix', () => {
    const cs: CapabilityStatement = { ...conformant, fhirVersion: '3.0.1', rest: [{ mode: 'server', resource: [{ type: 'Task', versioning: 'no-version' }] }] };
    const checks = checkCapabilityStatement('lw', 'link-worker', cs);
    // Only the FHIR version fails on a declaration; the rest warn, and the doctor's behaviour probes decide.
    expect(checks.filter((c) => c.status === 'FAIL').map((c) => c.check)).to.deep.equal(['CapabilityStatement: FHIR 4.0.1']);
    expect(checks.filter((c) => c.status === 'WARN').map((c) => c.check)).to.deep.equal(['supports transaction', 'conditional create (Task)', 'versioned update (Task)', '_lastUpdated search (Task)']);
    expect(checks.every((c) => c.status === 'PASS' || (c.fix && c.fix.length > 20))).to.equal(true);
  });

  it('SMART EHR launch needs issuer, both endpoints, S256 and the launch capabilities', () => {
    const ok = checkEhrLaunchConfiguration(
      'ehr',
      {
        issuer: 'https://auth.test',
        authorization_endpoint: 'https://auth.test/authorize',
        token_endpoint: 'https://auth.test/token',
        code_challenge_methods_supported: ['S256'],
        capabilities: ['launch-ehr', 'context-ehr-patient', 'client-confidential-symmetric'],
      },
      { confidentialSymmetric: true },
    );
    expect(ok.every((c) => c.status === 'PASS')).to.equal(true);
    const bad = checkEhrLaunchConfiguration('ehr', { token_endpoint: 'https://auth.test/token', code_challenge_methods_supported: ['plain'], capabilities: ['launch-ehr'] }, { confidentialSymmetric: false });
    expect(bad.filter((c) => c.status === 'FAIL').map((c) => c.check)).to.deep.equal(['SMART: issuer', 'SMART: authorization and token endpoints', 'SMART: PKCE S256', 'SMART: capabilities']);
    expect(bad.find((c) => c.check === 'SMART: capabilities')!.detail).to.equal('missing context-ehr-patient, client-confidential-asymmetric');
  });

  it('backend auth: private_key_jwt and the configured alg must be supported', () => {
    const checks = checkBackendConfiguration(
      'lw',
      { token_endpoint: 'https://auth.test/token', token_endpoint_auth_methods_supported: ['client_secret_basic'], token_endpoint_auth_signing_alg_values_supported: ['RS256'] },
      { type: 'smart-backend', clientId: 'c', scope: 's', kid: 'k', alg: 'RS384', privateKeyFile: 'k.json' },
    );
    expect(checks.map((c) => [c.check, c.status])).to.deep.equal([
      ['SMART: client_credentials grant', 'PASS'],
      ['SMART: private_key_jwt', 'FAIL'],
      ['SMART: RS384 assertions', 'FAIL'],
    ]);
  });

  it('renders a table and a fix list; ok reflects FAILs only', () => {
    const text = renderDoctorReport({
      ok: false,
      startedAt: '2026-01-01T00:00:00Z',
      endpoints: [{ label: 'ehr:a', kind: 'ehr', fhirBase: 'https://ehr.test/R4' }],
      checks: [
        { endpoint: 'ehr:a', check: 'reachable: GET /metadata', status: 'PASS', detail: 'ok' },
        { endpoint: 'ehr:a', check: 'supports transaction', status: 'FAIL', detail: 'no', fix: 'Enable transactions.' },
      ],
    });
    const lines = text.split('\n');
    expect(lines).to.include('ehr:a     supports transaction      FAIL    no');
    expect(text).to.contain('How to fix:\n  [FAIL] ehr:a: supports transaction\n         Enable transactions.');
    expect(lines.at(-1)).to.equal('1 passed, 1 failed, 0 warnings, 0 skipped: NOT OK');
  });
});
