import { expect } from 'chai';
import { checkTransport } from '../../../src/doctor/transport-checks.js';

describe('doctor: plain http outside sandbox mode', () => {
  const auth = { type: 'client-credentials', clientId: 'c', clientSecret: 's', scope: 'x', tokenUrl: 'http://auth.example/token' } as const;
  it('fails each plain-http URL by key, with what to change', () => {
    const [c] = checkTransport('ehr:x', { fhirBase: 'https://ehr.example/fhir', auth, issAllowlist: ['http://ehr.example/fhir', 'https://ehr.example/fhir'] }, false);
    expect(c).to.deep.include({ status: 'FAIL', detail: 'plain http outside sandbox mode: auth.tokenUrl http://auth.example/token, smart.issAllowlist http://ehr.example/fhir' });
    expect(c!.fix).to.contain('https://');
  });
  it('passes https, and leaves plain http to the sandbox', () => {
    expect(checkTransport('lw:x', { fhirBase: 'https://lw.example/fhir', auth: { type: 'none' } }, false)[0]!.status).to.equal('PASS');
    expect(checkTransport('lw:x', { fhirBase: 'http://localhost:3000/sandbox/lw/fhir', auth: { type: 'none' } }, true)[0]!.status).to.equal('SKIP');
  });
});
