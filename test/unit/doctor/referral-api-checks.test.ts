import { expect } from 'chai';
import { exportJWK, generateKeyPair } from 'jose';
import type { AgencyClientConfig } from '../../../src/config/schema.js';
import { checkAgencyClients } from '../../../src/doctor/referral-api-checks.js';

describe('doctor: the referral API’s agency clients', () => {
  it('passes usable public keys and the referral scope; fails a private key or a scope that cannot post; warns on a wider one', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES384', { extractable: true });
    const pub = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] };
    const priv = { keys: [{ ...(await exportJWK(privateKey)), kid: 'k1' }] };
    const client = (id: string, jwks: { keys: Record<string, unknown>[] }, scopes: string): AgencyClientConfig => ({ clientId: id, name: id, organisation: { name: `Org ${id}` }, jwks, scopes });
    const checks = await checkAgencyClients([
      client('good', pub, 'system/ServiceRequest.c'),
      client('leaky', priv, 'system/ServiceRequest.write'),
      client('reader', pub, 'system/ServiceRequest.rs'),
    ], 1000);
    const status = Object.fromEntries(checks.map((c) => [c.check, c.status]));
    expect(status).to.deep.equal({
      'agency client good keys': 'PASS',
      'agency client good scopes': 'PASS',
      'agency client leaky keys': 'FAIL',
      'agency client leaky scopes': 'WARN',
      'agency client reader keys': 'PASS',
      'agency client reader scopes': 'FAIL',
    });
    expect(checks.every((c) => c.endpoint === 'referral-api')).to.equal(true);
  });
});
