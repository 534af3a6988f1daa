import { expect } from 'chai';
import nock from 'nock';
import { generateKeyPair, SignJWT } from 'jose';
import { chooseAuthMethod, clientCredentialsAuth, discoverServerMetadata, formEncodeCredential } from '../../../../src/fhir/auth/index.js';
import { FhirAuthError } from '../../../../src/fhir/errors.js';
import { rejection } from '../../../helpers/rejection.js';

const BASE = 'https://fhir.test/R4';
const ISSUER = 'https://auth.test';
const MEDPLUM_STYLE_ID = '0b0c6a58-6a24-4d3a-9a55-0e5f1e6c2f1a';

/** A token endpoint that compares the Basic header's raw (not form-decoded) credentials, as many servers do. */
function rawBasic(id: string, secret: string) {
  return (h: string) => Buffer.from(h.replace(/^Basic /, ''), 'base64').toString() === `${id}:${secret}`;
}

const smartConfig = (over: Record<string, unknown> = {}) => ({
  issuer: ISSUER,
  token_endpoint: `${ISSUER}/oauth2/token`,
  token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
  ...over,
});

describe('fhir/auth: token endpoint authentication as real servers speak it', () => {
  before(() => nock.disableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending, 'every mocked response was used').to.deep.equal([]);
  });
  after(() => nock.enableNetConnect());

  it('form-encodes Basic credentials so that servers which do not decode them still match (RFC 6749 §2.3.1)', () => {
    // Letters, digits and -._* are left alone by application/x-www-form-urlencoded: UUIDs and sp-link arrive as written.
    expect(formEncodeCredential(MEDPLUM_STYLE_ID)).to.equal(MEDPLUM_STYLE_ID);
    expect(formEncodeCredential('sp-link_app.v2*')).to.equal('sp-link_app.v2*');
    // What must be encoded is: the separator, spaces, percent signs, non-ASCII.
    expect(formEncodeCredential('a:b c%d£')).to.equal('a%3Ab+c%25d%C2%A3');
  });

  it('client_secret_basic: a UUID client id reaches a non-decoding server unchanged (Medplum, SMART launcher)', async () => {
    nock(BASE).get('/.well-known/smart-configuration').reply(200, smartConfig());
    nock(ISSUER).get(/\/\.well-known\/.*/).times(2).reply(404);
    nock(ISSUER).post('/oauth2/token').matchHeader('authorization', rawBasic(MEDPLUM_STYLE_ID, 'sec-ret_1')).reply(200, { access_token: 'A', token_type: 'Bearer', expires_in: 300 });
    const auth = clientCredentialsAuth({ fhirBase: BASE, clientId: MEDPLUM_STYLE_ID, clientSecret: 'sec-ret_1', scope: 'system/Task.rs' });
    expect(await auth.authorization()).to.equal('Bearer A');
    expect(auth.info?.()).to.deep.equal({ tokenEndpoint: `${ISSUER}/oauth2/token`, tokenEndpointAuthMethod: 'client_secret_basic' });
  });

  it('chooses client_secret_post when the server publishes only that, and sends no Basic header', async () => {
    nock(BASE).get('/.well-known/smart-configuration').reply(200, smartConfig({ token_endpoint_auth_methods_supported: ['client_secret_post'] }));
    nock(ISSUER).get(/\/\.well-known\/.*/).times(2).reply(404);
    nock(ISSUER)
      .post('/oauth2/token', (b: Record<string, string>) => b.client_id === 'sp-link' && b.client_secret === 's3cret' && b.grant_type === 'client_credentials')
      .matchHeader('authorization', (v) => v === undefined)
      .reply(200, { access_token: 'P', token_type: 'Bearer' });
    const auth = clientCredentialsAuth({ fhirBase: BASE, clientId: 'sp-link', clientSecret: 's3cret', scope: 'system/Task.rs' });
    expect(await auth.authorization()).to.equal('Bearer P');
    expect(auth.info?.()?.tokenEndpointAuthMethod).to.equal('client_secret_post');
  });

  it('uses the configured method whatever the server publishes', async () => {
    nock('https://auth.test').post('/token', (b: Record<string, string>) => b.client_secret === 's').reply(200, { access_token: 'C', token_type: 'Bearer' });
    const auth = clientCredentialsAuth({ fhirBase: BASE, tokenUrl: 'https://auth.test/token', clientId: 'c', clientSecret: 's', scope: 'x', tokenEndpointAuthMethod: 'client_secret_post' });
    expect(await auth.authorization()).to.equal('Bearer C');
  });

  it('ignores an ES256 id_token in a client_credentials response instead of failing', async () => {
    // Medplum returns one; before, openid-client expected RS256 and refused the whole response.
    const { privateKey } = await generateKeyPair('ES256');
    const idToken = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256' }).setIssuer('https://elsewhere').setAudience('other').setIssuedAt().setExpirationTime('5m').sign(privateKey);
    nock('https://auth.test').post('/token').reply(200, { access_token: 'T', token_type: 'Bearer', expires_in: 3600, id_token: idToken });
    const auth = clientCredentialsAuth({ fhirBase: BASE, tokenUrl: 'https://auth.test/token', clientId: MEDPLUM_STYLE_ID, clientSecret: 's', scope: 'openid system/Task.rs' });
    expect(await auth.authorization()).to.equal('Bearer T');
  });

  it('a 401 challenge from the token endpoint is a non-transient auth error naming the cause', async () => {
    nock('https://auth.test').post('/token').reply(401, { error: 'invalid_client', error_description: 'unknown client' }, { 'www-authenticate': 'Basic realm="token"' });
    const auth = clientCredentialsAuth({ fhirBase: BASE, tokenUrl: 'https://auth.test/token', clientId: 'c', clientSecret: 'wrong', scope: 'x' });
    const err = (await rejection(auth.authorization())) as FhirAuthError;
    expect(err).to.be.instanceOf(FhirAuthError);
    expect(err.transient).to.equal(false);
    expect(err.message).to.contain('401').and.not.contain('wrong');
  });

  it('discovers server metadata: SMART configuration merged with the issuer’s OpenID metadata', async () => {
    nock(BASE).get('/.well-known/smart-configuration').reply(200, smartConfig({ issuer: `${ISSUER}/realms/gp` }));
    nock(ISSUER)
      .get('/realms/gp/.well-known/openid-configuration')
      .reply(200, { issuer: `${ISSUER}/realms/gp`, token_endpoint: `${ISSUER}/other`, id_token_signing_alg_values_supported: ['ES256'], jwks_uri: `${ISSUER}/jwks` });
    const d = await discoverServerMetadata(BASE);
    expect(d.metadata).to.include({ issuer: `${ISSUER}/realms/gp`, token_endpoint: `${ISSUER}/oauth2/token`, jwks_uri: `${ISSUER}/jwks` });
    expect(d.metadata.id_token_signing_alg_values_supported).to.deep.equal(['ES256']);
    expect(d.oauthMetadataUrl).to.equal(`${ISSUER}/realms/gp/.well-known/openid-configuration`);
  });

  it('ignores OpenID metadata that names another issuer (RFC 8414 §3.3)', async () => {
    nock(BASE).get('/.well-known/smart-configuration').reply(200, smartConfig());
    nock(ISSUER).get('/.well-known/openid-configuration').reply(200, { issuer: 'https://attacker.test', token_endpoint: 'https://attacker.test/token' });
    nock(ISSUER).get('/.well-known/oauth-authorization-server').reply(404);
    const d = await discoverServerMetadata(BASE);
    expect(d.metadata.token_endpoint).to.equal(`${ISSUER}/oauth2/token`);
    expect(d.oauthMetadataUrl).to.equal(undefined);
  });

  it('picks a method from the credentials and the published list', () => {
    const key = { key: {} as CryptoKey, kid: 'k' };
    expect(chooseAuthMethod(undefined, { clientSecret: 's' }, undefined)).to.equal('client_secret_basic');
    expect(chooseAuthMethod(undefined, { clientSecret: 's' }, ['client_secret_post', 'private_key_jwt'])).to.equal('client_secret_post');
    expect(chooseAuthMethod(undefined, { signingKey: key }, ['client_secret_basic'])).to.equal('private_key_jwt');
    expect(chooseAuthMethod(undefined, {}, ['client_secret_basic'])).to.equal('none');
    expect(chooseAuthMethod('client_secret_post', { clientSecret: 's' }, ['client_secret_basic'])).to.equal('client_secret_post');
  });
});
