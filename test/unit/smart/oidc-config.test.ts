import { expect } from 'chai';
import nock from 'nock';
import { SpLinkError } from '../../../src/errors.js';
import { createLogger } from '../../../src/observability/logger.js';
import { OidcConfigCache } from '../../../src/smart/oidc-config.js';
import type { TenantConfig } from '../../../src/config/schema.js';

const ISS = 'https://ehr.test.example/fhir';
const tenant = {
  id: 't',
  name: 'T',
  ehr: { fhirBase: ISS, auth: { type: 'none' } },
  smart: { clientId: 'sp-link', clientSecret: 'secret', issAllowlist: [ISS], scopes: 'launch openid' },
  frameAncestors: [],
  linkWorkerEndpoint: 'lw',
} as unknown as TenantConfig;

const smartConfig = (over: Record<string, unknown> = {}) => ({
  issuer: 'https://ehr.test.example/auth',
  authorization_endpoint: 'https://ehr.test.example/auth/authorize',
  token_endpoint: 'https://ehr.test.example/auth/token',
  code_challenge_methods_supported: ['S256'],
  capabilities: ['launch-ehr'],
  ...over,
});

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SpLinkError) return `${e.code} ${e.httpStatus}`;
    throw e;
  }
  return 'no error';
}

describe('SMART configuration cache (faults injected with nock)', () => {
  const logger = createLogger({ level: 'silent' });
  afterEach(() => nock.cleanAll());

  it('builds an openid-client Configuration from the SMART configuration and caches it', async () => {
    const scope = nock('https://ehr.test.example').get('/fhir/.well-known/smart-configuration').once().reply(200, smartConfig());
    const cache = new OidcConfigCache({ allowInsecureHttpForSandbox: false, logger });
    const c1 = await cache.get(tenant, ISS);
    const c2 = await cache.get(tenant, ISS);
    expect(c1).to.equal(c2);
    expect(c1.serverMetadata().issuer).to.equal('https://ehr.test.example/auth');
    expect(c1.clientMetadata().client_id).to.equal('sp-link');
    expect(scope.isDone()).to.equal(true);
  });

  it('reports an unreachable EHR as ERR_FHIR_UNREACHABLE', async () => {
    nock('https://ehr.test.example').get('/fhir/.well-known/smart-configuration').reply(503, 'down');
    expect(await failure(new OidcConfigCache({ allowInsecureHttpForSandbox: false, logger }).get(tenant, ISS))).to.equal('ERR_FHIR_UNREACHABLE 502');
    nock('https://ehr.test.example').get('/fhir/.well-known/smart-configuration').replyWithError('ECONNRESET');
    expect(await failure(new OidcConfigCache({ allowInsecureHttpForSandbox: false, logger }).get(tenant, ISS))).to.equal('ERR_FHIR_UNREACHABLE 502');
  });

  it('refuses an authorization server without PKCE S256 or without an authorization endpoint', async () => {
    nock('https://ehr.test.example').get('/fhir/.well-known/smart-configuration').reply(200, smartConfig({ code_challenge_methods_supported: ['plain'] }));
    expect(await failure(new OidcConfigCache({ allowInsecureHttpForSandbox: false, logger }).get(tenant, ISS))).to.equal('ERR_SMART_AUTHORIZATION_SERVER 502');
    nock('https://ehr.test.example').get('/fhir/.well-known/smart-configuration').reply(200, smartConfig({ authorization_endpoint: undefined }));
    expect(await failure(new OidcConfigCache({ allowInsecureHttpForSandbox: false, logger }).get(tenant, ISS))).to.equal('ERR_SMART_AUTHORIZATION_SERVER 502');
  });
});
