import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import * as client from 'openid-client';
import { decodeJwt, importJWK, type JWK } from 'jose';
import { bootAuthApp, type AuthTestApp } from '../auth/boot.js';
import { getDevToken } from '../../../helpers/sandbox-tokens.js';

describe('sandbox FHIR access enforcement and backend clients (integration)', () => {
  let app: AuthTestApp;
  before(async () => {
    app = await bootAuthApp();
  });
  after(async () => app?.stop());

  const get = (url: string, token?: string) => fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('answers an anonymous FHIR read with 401, an OperationOutcome and WWW-Authenticate: Bearer', async () => {
    for (const url of [`${app.ehrBase}/Patient/pat-a`, `${app.ehrBase}/Patient`, `${app.lwBase}/Task`]) {
      const res = await get(url);
      expect(res.status, url).to.equal(401);
      expect(res.headers.get('www-authenticate')).to.match(/^Bearer realm=/);
      expect(((await res.json()) as { resourceType: string }).resourceType).to.equal('OperationOutcome');
    }
  });

  it('answers a malformed or forged token with 401 invalid_token', async () => {
    const forged = await get(`${app.ehrBase}/Patient/pat-a`, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.');
    expect(forged.status).to.equal(401);
    expect(forged.headers.get('www-authenticate')).to.include('invalid_token');
    const basic = await fetch(`${app.ehrBase}/Patient/pat-a`, { headers: { authorization: 'Basic c2FuZGJveC1kZXY6c2FuZGJveC1kZXYtc2VjcmV0' } });
    expect(basic.status).to.equal(401);
  });

  it('keeps /metadata and the smart-configuration public', async () => {
    const metadata = await get(`${app.ehrBase}/metadata`);
    expect(metadata.status).to.equal(200);
    const security = ((await metadata.json()) as { rest: { security?: { extension?: { extension?: { url: string; valueUri: string }[] }[] } }[] }).rest[0]?.security;
    expect(security?.extension?.[0]?.extension).to.deep.include({ url: 'token', valueUri: `${app.auth.ehrIssuer}/token` });
    expect((await get(`${app.lwBase}/metadata`)).status).to.equal(200);
    expect((await get(`${app.ehrBase}/.well-known/smart-configuration`)).status).to.equal(200);
    const lw = (await (await get(`${app.lwBase}/.well-known/smart-configuration`)).json()) as Record<string, unknown>;
    expect(lw.issuer).to.equal(app.auth.lwIssuer);
    expect(lw.token_endpoint).to.equal(`${app.auth.lwIssuer}/token`);
    expect(lw.grant_types_supported).to.deep.equal(['client_credentials']);
    expect(lw.capabilities).to.include('client-confidential-asymmetric').and.not.include('launch-ehr');
  });

  it('gives the developer client system access to both servers, each token only at its own server', async () => {
    const ehrToken = await getDevToken(app.url, 'ehr');
    const lwToken = await getDevToken(app.url, 'lw');
    expect(decodeJwt(ehrToken).aud).to.equal(app.ehrBase);
    expect(decodeJwt(ehrToken).scope).to.equal('system/*.cruds');
    expect((await get(`${app.ehrBase}/Patient`, ehrToken)).status).to.equal(200);
    expect((await get(`${app.ehrBase}/Observation/obs-b`, ehrToken)).status).to.equal(200);
    expect((await get(`${app.lwBase}/Task/task-1`, lwToken)).status).to.equal(200);
    expect((await get(`${app.lwBase}/Task/task-1`, ehrToken)).status).to.equal(401);
    expect((await get(`${app.ehrBase}/Patient`, lwToken)).status).to.equal(401);
  });

  it('refuses a type the system scopes do not name (403), and an interaction they do not grant', async () => {
    const token = await getDevToken(app.url, 'ehr', 'system/Patient.rs');
    expect((await get(`${app.ehrBase}/Patient/pat-b`, token)).status).to.equal(200);
    const obs = await get(`${app.ehrBase}/Observation/obs-a`, token);
    expect(obs.status).to.equal(403);
    expect(obs.headers.get('www-authenticate')).to.include('insufficient_scope');
    const create = await fetch(`${app.ehrBase}/Patient`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Patient' }),
    });
    expect(create.status).to.equal(403);
    // v1 scopes are still understood
    const v1 = await getDevToken(app.url, 'ehr', 'system/Observation.read');
    expect((await get(`${app.ehrBase}/Observation/obs-a`, v1)).status).to.equal(200);
  });

  it('checks every entry of a transaction', async () => {
    const token = await getDevToken(app.url, 'ehr', 'system/Observation.crs');
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { request: { method: 'POST', url: 'Observation' }, resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' } } },
        { request: { method: 'POST', url: 'Patient' }, resource: { resourceType: 'Patient' } },
      ],
    };
    const res = await fetch(app.ehrBase, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify(bundle),
    });
    expect(res.status).to.equal(403);
  });

  it('issues tokens to sp-link-backend with private_key_jwt (aud = token endpoint) at both servers', async () => {
    const jwk = JSON.parse(await readFile(app.auth.backendKey.file, 'utf8')) as JWK;
    expect(jwk.kid).to.equal(app.auth.backendKey.kid);
    const key = await importJWK(jwk, 'RS384');
    for (const [base, scope, probe] of [
      [app.ehrBase, 'system/ServiceRequest.rus system/Patient.rs', 'Patient/pat-a'],
      [app.lwBase, 'system/Task.crus system/Organization.r', 'Task/task-1'],
    ] as const) {
      const smart = (await (await get(`${base}/.well-known/smart-configuration`)).json()) as client.ServerMetadata & { token_endpoint: string };
      const cfg = new client.Configuration(
        smart,
        'sp-link-backend',
        { token_endpoint_auth_signing_alg: 'RS384' },
        client.PrivateKeyJwt({ key: key as CryptoKey, kid: jwk.kid }, {
          [client.modifyAssertion]: (h, p) => {
            h.typ = 'JWT';
            p.aud = smart.token_endpoint;
          },
        }),
      );
      client.allowInsecureRequests(cfg);
      const tokens = await client.clientCredentialsGrant(cfg, { scope });
      expect(tokens.scope).to.equal(scope);
      expect(decodeJwt(tokens.access_token).aud).to.equal(base);
      expect((await get(`${base}/${probe}`, tokens.access_token)).status).to.equal(200);
    }
  });

  it('refuses a backend assertion signed with another key', async () => {
    const smart = (await (await get(`${app.lwBase}/.well-known/smart-configuration`)).json()) as client.ServerMetadata & { token_endpoint: string };
    const { privateKey } = await (await import('jose')).generateKeyPair('RS384');
    const cfg = new client.Configuration(smart, 'sp-link-backend', {}, client.PrivateKeyJwt({ key: privateKey, kid: app.auth.backendKey.kid }));
    client.allowInsecureRequests(cfg);
    let error: unknown;
    try {
      await client.clientCredentialsGrant(cfg, { scope: 'system/Task.rs' });
    } catch (err) {
      error = err;
    }
    expect((error as client.ResponseBodyError).error).to.equal('invalid_client');
  });
});

describe('sandbox developer client switched off (integration)', () => {
  let app: AuthTestApp;
  before(async () => {
    app = await bootAuthApp((c) => ({ ...c, sandbox: { ...c.sandbox, allowInsecureDeveloperClient: false } }));
  });
  after(async () => app?.stop());

  it('does not exist when sandbox.allowInsecureDeveloperClient is false', async () => {
    for (const server of ['ehr', 'lw'] as const) {
      let error: unknown;
      try {
        await getDevToken(app.url, server);
      } catch (err) {
        error = err;
      }
      expect(String(error)).to.match(/HTTP 401 invalid_client/);
    }
  });
});
