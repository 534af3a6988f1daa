import { expect } from 'chai';
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { bootAuthApp, type AuthTestApp } from './boot.js';
import { FormBrowser, ehrAuthorizationRequest, followToRedirectUri, gpAppClient } from './browser-flow.js';

const SCOPE = 'launch openid fhirUser offline_access patient/Patient.r patient/Observation.crs patient/ServiceRequest.crus';

describe('sandbox EHR authorization server: SMART EHR launch (integration)', () => {
  let app: AuthTestApp;
  let smart: Record<string, unknown>;
  let config: client.Configuration;
  let redirectUri: string;

  before(async () => {
    app = await bootAuthApp();
    ({ config, redirectUri, smart } = await gpAppClient(app));
  });
  after(async () => app?.stop());

  async function authorize(extra: Record<string, string> = {}, patient = 'pat-a') {
    const launch = app.auth.createLaunch({ patient, encounter: 'enc-1', practitioner: 'gp-test', needPatientBanner: false });
    return ehrAuthorizationRequest(app, config, { scope: SCOPE, redirectUri, launch, extra });
  }

  async function launchAndExchange(patient = 'pat-a', scope = SCOPE) {
    const { url, verifier, state } = await authorize({ scope }, patient);
    const callback = await followToRedirectUri(url, redirectUri);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    return { tokens, callback, verifier, state };
  }

  const fhirGet = (path: string, token: string) => fetch(`${app.ehrBase}/${path}`, { headers: { authorization: `Bearer ${token}` } });

  it('publishes a SMART configuration with issuer, endpoints, S256 and the capabilities SP Link relies on', () => {
    expect(smart.issuer).to.equal(app.auth.ehrIssuer);
    expect(smart.authorization_endpoint).to.equal(`${app.auth.ehrIssuer}/auth`);
    expect(smart.token_endpoint).to.equal(`${app.auth.ehrIssuer}/token`);
    expect(smart.jwks_uri).to.equal(`${app.auth.ehrIssuer}/jwks`);
    expect(smart.code_challenge_methods_supported).to.deep.equal(['S256']);
    expect(smart.token_endpoint_auth_methods_supported).to.include.members(['client_secret_basic', 'private_key_jwt']);
    expect(smart.token_endpoint_auth_signing_alg_values_supported).to.include.members(['RS384', 'ES384']);
    expect(smart.grant_types_supported).to.include.members(['authorization_code', 'client_credentials', 'refresh_token']);
    expect(smart.response_types_supported).to.deep.equal(['code']);
    expect(smart.scopes_supported).to.include.members(['launch', 'openid', 'fhirUser', 'offline_access']);
    expect(smart.capabilities).to.include.members([
      'launch-ehr',
      'client-confidential-symmetric',
      'client-confidential-asymmetric',
      'context-ehr-patient',
      'context-ehr-encounter',
      'permission-v2',
      'permission-patient',
      'sso-openid-connect',
    ]);
  });

  it('completes an EHR launch: launch context in the token response, JWT access token for the FHIR base, fhirUser in the id_token', async () => {
    const { tokens } = await launchAndExchange();
    expect(tokens.patient).to.equal('pat-a');
    expect(tokens.encounter).to.equal('enc-1');
    expect(tokens.fhirUser).to.equal(`${app.ehrBase}/Practitioner/gp-test`);
    expect(tokens.need_patient_banner).to.equal(false);
    expect(String(tokens.scope).split(' ')).to.include.members([
      'launch',
      'openid',
      'fhirUser',
      'offline_access',
      'patient/Patient.r',
      'patient/Observation.crs',
      'patient/ServiceRequest.crus',
    ]);
    expect(tokens.refresh_token).to.be.a('string');
    const at = decodeJwt(tokens.access_token);
    expect(at.aud).to.equal(app.ehrBase);
    expect(at.iss).to.equal(app.auth.ehrIssuer);
    expect(at.sub).to.equal('gp-test');
    expect(at.patient).to.equal('pat-a');
    expect(tokens.claims()?.fhirUser).to.equal(`${app.ehrBase}/Practitioner/gp-test`);

    expect((await fhirGet('Patient/pat-a', tokens.access_token)).status).to.equal(200);
    expect((await fhirGet('Observation?patient=pat-a', tokens.access_token)).status).to.equal(200);
  });

  it('keeps a patient-scoped token inside the launch patient compartment (403 for another patient)', async () => {
    const { tokens } = await launchAndExchange('pat-a');
    const t = tokens.access_token;
    const other = await fhirGet('Patient/pat-b', t);
    expect(other.status).to.equal(403);
    expect(other.headers.get('www-authenticate')).to.match(/^Bearer .*insufficient_scope/);
    expect((await fhirGet('Observation/obs-b', t)).status).to.equal(403);
    expect((await fhirGet('Observation?patient=pat-b', t)).status).to.equal(403);
    expect((await fhirGet('Observation?patient=pat-a,pat-b', t)).status).to.equal(403);
    expect((await fhirGet('Observation', t)).status).to.equal(403);
    expect((await fhirGet('Observation/obs-a', t)).status).to.equal(200);
    const write = await fetch(`${app.ehrBase}/Observation`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/pat-b' } }),
    });
    expect(write.status).to.equal(403);
    const own = await fetch(`${app.ehrBase}/Observation`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/pat-a' } }),
    });
    expect(own.status).to.equal(201);
  });

  it("lets a patient-scoped token write a referral and its Provenance in one transaction, only for the launch patient", async () => {
    const { tokens } = await launchAndExchange('pat-a', `${SCOPE} patient/Provenance.c`);
    const bundle = (patient: string) => ({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:5d3a4f0e-1111-4c1e-9a51-000000000001',
          request: { method: 'POST', url: 'ServiceRequest' },
          resource: { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: `Patient/${patient}` } },
        },
        {
          request: { method: 'POST', url: 'Provenance' },
          resource: {
            resourceType: 'Provenance',
            target: [{ reference: 'urn:uuid:5d3a4f0e-1111-4c1e-9a51-000000000001' }],
            recorded: new Date().toISOString(),
            agent: [{ who: { reference: 'Practitioner/gp-test' } }],
          },
        },
      ],
    });
    const post = (body: unknown) =>
      fetch(app.ehrBase, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/fhir+json' },
        body: JSON.stringify(body),
      });
    const own = await post(bundle('pat-a'));
    expect(own.status, await own.clone().text()).to.equal(200);
    expect((await post(bundle('pat-b'))).status).to.equal(403);
    const { tokens: narrow } = await launchAndExchange('pat-a');
    const noProvenanceScope = await fetch(app.ehrBase, {
      method: 'POST',
      headers: { authorization: `Bearer ${narrow.access_token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify(bundle('pat-a')),
    });
    expect(noProvenanceScope.status).to.equal(403);
  });

  it('binds each launch to its own patient and clinician, even in a browser that already has a session', async () => {
    const browser = new FormBrowser(redirectUri);
    const results = [];
    for (const [patient, practitioner, prompt] of [
      ['pat-a', 'gp-test', undefined],
      ['pat-b', 'gp-other', 'none'],
    ] as const) {
      const launch = app.auth.createLaunch({ patient, practitioner });
      const verifier = client.randomPKCECodeVerifier();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: SCOPE,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: patient,
        launch,
        aud: app.ehrBase,
        ...(prompt ? { prompt } : {}),
      });
      const back = await browser.go(url);
      if (!back.redirected) throw new Error(`stopped with HTTP ${back.status} at ${back.url.pathname}: ${back.html.slice(0, 1400)}`);
      results.push(await client.authorizationCodeGrant(config, back.url, { pkceCodeVerifier: verifier, expectedState: patient }));
    }
    expect(results.map((t) => [t.patient, t.fhirUser])).to.deep.equal([
      ['pat-a', `${app.ehrBase}/Practitioner/gp-test`],
      ['pat-b', `${app.ehrBase}/Practitioner/gp-other`],
    ]);
    expect(decodeJwt(results[1]!.access_token).patient).to.equal('pat-b');
  });

  it('refuses a resource type the token has no scope for (403)', async () => {
    const { tokens } = await launchAndExchange();
    expect((await fhirGet('Practitioner/gp-test', tokens.access_token)).status).to.equal(403);
    const del = await fetch(`${app.ehrBase}/Observation/obs-a`, { method: 'DELETE', headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(del.status).to.equal(403);
  });

  it('refreshes: a new access token with the same launch context', async () => {
    const { tokens } = await launchAndExchange();
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).to.be.a('string').and.not.equal(tokens.access_token);
    expect(refreshed.patient).to.equal('pat-a');
    expect(decodeJwt(refreshed.access_token).aud).to.equal(app.ehrBase);
    expect(String(refreshed.scope).split(' ')).to.include('patient/Observation.crs');
    expect((await fhirGet('Patient/pat-a', refreshed.access_token)).status).to.equal(200);
  });

  it('refuses a replayed authorization code and revokes what the code issued', async () => {
    const { tokens, callback, verifier, state } = await launchAndExchange();
    let error: unknown;
    try {
      await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(client.ResponseBodyError);
    expect((error as client.ResponseBodyError).error).to.equal('invalid_grant');
    expect((await fhirGet('Patient/pat-a', tokens.access_token)).status).to.equal(401);
    let refreshError: unknown;
    try {
      await client.refreshTokenGrant(config, tokens.refresh_token!);
    } catch (err) {
      refreshError = err;
    }
    expect((refreshError as client.ResponseBodyError).error).to.equal('invalid_grant');
  });

  it('refuses an authorization request without PKCE, or with plain PKCE', async () => {
    for (const strip of [['code_challenge', 'code_challenge_method'], ['code_challenge_method']]) {
      const { url } = await authorize(strip.length === 1 ? { code_challenge_method: 'plain' } : {});
      for (const p of strip.length === 2 ? strip : []) url.searchParams.delete(p);
      const back = await followToRedirectUri(url, redirectUri);
      expect(back.searchParams.get('error')).to.equal('invalid_request');
      expect(back.searchParams.get('code')).to.equal(null);
    }
  });

  it('refuses a wrong aud and an unknown launch', async () => {
    const wrongAud = await followToRedirectUri((await authorize({ aud: 'https://evil.example/fhir' })).url, redirectUri);
    expect(wrongAud.searchParams.get('error')).to.equal('invalid_request');
    const unknown = await followToRedirectUri((await authorize({ launch: 'not-a-launch' })).url, redirectUri);
    expect(unknown.searchParams.get('error')).to.equal('invalid_request');
  });

  it('refuses a code exchange with the wrong PKCE verifier', async () => {
    const { url, state } = await authorize();
    const callback = await followToRedirectUri(url, redirectUri);
    let error: unknown;
    try {
      await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: state });
    } catch (err) {
      error = err;
    }
    expect((error as client.ResponseBodyError).error).to.equal('invalid_grant');
  });
});
