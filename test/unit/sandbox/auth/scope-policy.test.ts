import { expect } from 'chai';
import { ScopePolicy } from '../../../../src/sandbox/auth/scope-policy.js';
import { backendClient, developerClient } from '../../../../src/sandbox/auth/clients.js';
import { LAUNCH_SCOPES } from '../../../../src/sandbox/auth/smart-provider.js';

describe('sandbox scope policy', () => {
  const app = {
    contexts: ['patient', 'user'] as const,
    metadata: { client_id: 'sp-link', grant_types: ['authorization_code', 'refresh_token'], scope: 'openid fhirUser offline_access launch' },
  };
  const policy = new ScopePolicy([app, backendClient({ kty: 'RSA', n: 'x', e: 'AQAB' }), developerClient()], LAUNCH_SCOPES);

  it('grants the GP app patient/ and user/ scopes only, and the non-clinical scopes it registered', () => {
    const asked = ['launch', 'openid', 'fhirUser', 'offline_access', 'launch/patient', 'patient/Patient.r', 'user/Practitioner.r', 'system/*.cruds', 'nonsense'];
    expect(policy.clinical('sp-link', asked)).to.deep.equal(['patient/Patient.r', 'user/Practitioner.r']);
    expect(policy.nonClinical('sp-link', asked)).to.deep.equal(['launch', 'openid', 'fhirUser', 'offline_access']);
  });

  it('grants backends system/ scopes only, and no offline_access without the refresh_token grant', () => {
    expect(policy.clinical('sp-link-backend', ['system/Task.crus', 'patient/Task.r'])).to.deep.equal(['system/Task.crus']);
    expect(policy.nonClinical('sandbox-dev', ['offline_access', 'openid'])).to.deep.equal(['openid']);
    expect(policy.clinical('unknown', ['system/Task.r'])).to.deep.equal([]);
  });
});
