import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Bundle, OperationOutcome, Task } from '@medplum/fhirtypes';
import { parseConfig } from '../../../src/config/load.js';
import { createFhirClientFor } from '../../../src/fhir/from-config.js';
import { signHostedAccessToken } from '../../../src/fhir/auth/index.js';
import { runDoctor } from '../../../src/doctor/run.js';
import { startSystem, type System } from '../../../src/system.js';
import { listen } from '../../helpers/http.js';
import { productionYaml } from '../../helpers/production-config.js';

/**
 * A hosted link-worker record in a production-shaped configuration (sandbox off): SMART Backend Services for
 * external systems with real signed client assertions, SP Link's own credential, refusals and the audit trail,
 * over real HTTP on loopback.
 */

const SECRET = 'p'.repeat(48);

function hostedConfig(port: number, dataDir: string, jwksUrl: string, inlineJwks: { keys: JWK[] }): string {
  return productionYaml({
    server: `  port: ${port}\n  publicUrl: http://localhost:${port}\n  sessionSecret: ${SECRET}\n  cookieMode: same-site`,
    ehrToken: 'ehr-token',
    linkWorkerEndpoint: 'community-links',
    endpoints: `  - id: community-links
    name: Community Links
    hosted: true
    organizationOdsCode: Y99950
    backendClients:
      - clientId: case-system
        name: Community Links case system
        jwks: ${JSON.stringify(inlineJwks)}
        scopes: system/Task.rs system/Observation.rs
      - clientId: reporting
        name: ICS reporting
        jwksUrl: ${jwksUrl}
        scopes: system/Task.s
  - id: other-links
    name: Other Links
    hosted: true`,
    rest: `dataDir: ${dataDir}
reconcile:
  enabled: false
  webhookSecret: hook
admin:
  token: admin-token
log:
  level: silent
`,
  });
}

interface Client {
  id: string;
  key: CryptoKey;
  kid: string;
  alg: 'ES384' | 'RS384';
}

describe('hosted link-worker record: SMART Backend Services (sandbox off)', function () {
  this.timeout(300_000);
  let sys: System;
  let dataDir: string;
  let jwksServer: Awaited<ReturnType<typeof listen>>;
  let caseSystem: Client;
  let reporting: Client;
  let stranger: Client;
  let base: string;
  let tokenUrl: string;
  let task: Task;

  before(async () => {
    const ec = await generateKeyPair('ES384', { extractable: true });
    const rsa = await generateKeyPair('RS384', { extractable: true });
    const other = await generateKeyPair('ES384', { extractable: true });
    caseSystem = { id: 'case-system', key: ec.privateKey, kid: 'case-1', alg: 'ES384' };
    reporting = { id: 'reporting', key: rsa.privateKey, kid: 'rep-1', alg: 'RS384' };
    stranger = { id: 'case-system', key: other.privateKey, kid: 'case-1', alg: 'ES384' };
    const jwks = express();
    const rsaJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'rep-1', alg: 'RS384', use: 'sig' };
    jwks.get('/jwks.json', (_req, res) => void res.json({ keys: [rsaJwk] }));
    jwksServer = await listen(jwks);

    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'sp-link-hosted-'));
    const inline = { keys: [{ ...(await exportJWK(ec.publicKey)), kid: 'case-1', alg: 'ES384', use: 'sig' }] };
    const config = parseConfig(hostedConfig(port, dataDir, `${jwksServer.url}/jwks.json`, inline), 'production.yaml', {});
    expect(config.sandbox.enabled).to.equal(false);
    sys = await startSystem({ config, server, background: false });
    base = `${sys.url}/hosted/community-links/fhir`;
    tokenUrl = `${sys.url}/hosted/community-links/auth/token`;

    // SP Link's own components write with the credential it signs for itself.
    const own = await createFhirClientFor(sys.config.linkWorkerEndpoints[0]!);
    const created = await own.create<Task>({
      resourceType: 'Task',
      status: 'requested',
      intent: 'order',
      identifier: [{ system: 'https://sp-link.example.org/referral', value: randomUUID() }],
    });
    task = created.resource as Task;
  });

  after(async () => {
    await sys?.stop();
    await jwksServer?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const assertion = (c: Client, claims: { aud?: string; exp?: number; jti?: string; iss?: string } = {}): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: c.alg, kid: c.kid, typ: 'JWT' })
      .setIssuer(claims.iss ?? c.id)
      .setSubject(claims.iss ?? c.id)
      .setAudience(claims.aud ?? tokenUrl)
      .setExpirationTime(claims.exp ?? now + 120)
      .setJti(claims.jti ?? randomUUID())
      .sign(c.key);
  };

  const requestToken = async (form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> => {
    const res = await fetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
  };
  const tokenFor = async (c: Client, scope: string, claims: Parameters<typeof assertion>[1] = {}) =>
    requestToken({
      grant_type: 'client_credentials',
      scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await assertion(c, claims),
    });
  const get = (url: string, token?: string) => fetch(url, { headers: { accept: 'application/fhir+json', ...(token ? { authorization: `Bearer ${token}` } : {}) } });

  it('publishes SMART discovery for backend services; the CapabilityStatement names the token endpoint', async () => {
    const smart = (await (await get(`${base}/.well-known/smart-configuration`)).json()) as Record<string, unknown>;
    expect(smart.token_endpoint).to.equal(tokenUrl);
    expect(smart.grant_types_supported).to.deep.equal(['client_credentials']);
    expect(smart.token_endpoint_auth_methods_supported).to.deep.equal(['private_key_jwt']);
    expect(smart.token_endpoint_auth_signing_alg_values_supported).to.have.members(['RS384', 'ES384']);
    const cs = (await (await get(`${base}/metadata`)).json()) as { rest: { security: { extension: { extension: { url: string; valueUri: string }[] }[] } }[] };
    expect(cs.rest[0]!.security.extension[0]!.extension).to.deep.include({ url: 'token', valueUri: tokenUrl });
  });

  it('refuses anonymous access with a 401 OperationOutcome and a Bearer challenge', async () => {
    for (const url of [`${base}/Task/${task.id}`, `${base}/Task?status=requested`]) {
      const res = await get(url);
      expect(res.status, url).to.equal(401);
      expect(res.headers.get('www-authenticate')).to.match(/^Bearer realm=/);
      expect(((await res.json()) as OperationOutcome).resourceType).to.equal('OperationOutcome');
    }
    const post = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [] }) });
    expect(post.status).to.equal(401);
  });

  it('issues a client with a signed ES384 assertion (inline keys) a token with only the scopes it may have', async () => {
    const { status, body, headers } = await tokenFor(caseSystem, 'system/Task.rs system/Task.u system/Patient.r');
    expect(status, JSON.stringify(body)).to.equal(200);
    expect(body).to.include({ token_type: 'bearer', expires_in: 300, scope: 'system/Task.rs' });
    expect(headers.get('cache-control')).to.equal('no-store');
    const token = String(body.access_token);

    const read = await get(`${base}/Task/${task.id}`, token);
    expect(read.status).to.equal(200);
    expect(((await read.json()) as Task).id).to.equal(task.id);
    const search = (await (await get(`${base}/Task?_id=${task.id}`, token)).json()) as Bundle;
    expect(search.entry?.map((e) => e.resource?.id)).to.deep.equal([task.id]);

    // Least privilege: read and search only, and only Tasks.
    const put = await fetch(`${base}/Task/${task.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ ...task, status: 'accepted' }),
    });
    expect(put.status).to.equal(403);
    expect(((await put.json()) as OperationOutcome).issue[0]?.code).to.equal('forbidden');
    expect((await get(`${base}/Patient?_count=1`, token)).status).to.equal(403);
  });

  it('verifies an RS384 assertion against the client’s JWK Set URL', async () => {
    const { status, body } = await tokenFor(reporting, 'system/Task.s');
    expect(status, JSON.stringify(body)).to.equal(200);
    const token = String(body.access_token);
    expect((await get(`${base}/Task?_id=${task.id}`, token)).status).to.equal(200);
    expect((await get(`${base}/Task/${task.id}`, token)).status).to.equal(403);
  });

  it('refuses assertions with the wrong aud or iss, expired, too long-lived, badly signed or replayed (401 invalid_client)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, () => Promise<{ status: number; body: Record<string, unknown> }>, RegExp][] = [
      ['aud of another endpoint', () => tokenFor(caseSystem, 'system/Task.rs', { aud: `${sys.url}/hosted/other-links/auth/token` }), /aud is not this token endpoint/],
      ['unregistered iss', () => tokenFor(caseSystem, 'system/Task.rs', { iss: 'somebody-else' }), /not a client registered/],
      ['expired', () => tokenFor(caseSystem, 'system/Task.rs', { exp: now - 120 }), /expired/],
      ['lifetime over five minutes', () => tokenFor(caseSystem, 'system/Task.rs', { exp: now + 3600 }), /more than five minutes/],
      ['signed by a key the client did not register', () => tokenFor(stranger, 'system/Task.rs'), /signature|no registered key/],
    ];
    for (const [name, run, reason] of cases) {
      const { status, body } = await run();
      expect(status, name).to.equal(401);
      expect(body.error, name).to.equal('invalid_client');
      expect(String(body.error_description), name).to.match(reason);
    }
    const jti = randomUUID();
    expect((await tokenFor(caseSystem, 'system/Task.rs', { jti })).status).to.equal(200);
    const replay = await tokenFor(caseSystem, 'system/Task.rs', { jti });
    expect(replay.status).to.equal(401);
    expect(String(replay.body.error_description)).to.match(/replay/);
  });

  it('refuses other grants, client secrets and scopes beyond the registration (400)', async () => {
    expect((await requestToken({ grant_type: 'password', username: 'x', password: 'y' })).body.error).to.equal('unsupported_grant_type');
    const secret = await requestToken({ grant_type: 'client_credentials', client_id: 'case-system', client_secret: 'guess', scope: 'system/Task.rs' });
    expect([secret.status, secret.body.error]).to.deep.equal([401, 'invalid_client']);
    const wider = await tokenFor(caseSystem, 'system/Task.cruds');
    expect([wider.status, wider.body.error]).to.deep.equal([400, 'invalid_scope']);
    const none = await tokenFor(caseSystem, '');
    expect([none.status, none.body.error]).to.deep.equal([400, 'invalid_scope']);
  });

  it('refuses access tokens that are not this record’s: another record’s, expired, forged (401 OperationOutcome)', async () => {
    const other = sys.config.linkWorkerEndpoints[1]!;
    const mine = sys.config.linkWorkerEndpoints[0]!;
    if (other.auth.type !== 'hosted' || mine.auth.type !== 'hosted') throw new Error('expected hosted endpoints');
    const foreign = await signHostedAccessToken({ key: other.auth.key, fhirBase: other.fhirBase, clientId: 'sp-link', scope: 'system/*.cruds' });
    const wrongAud = await signHostedAccessToken({ key: mine.auth.key, fhirBase: other.fhirBase, clientId: 'sp-link', scope: 'system/*.cruds' });
    const expired = await signHostedAccessToken({ key: mine.auth.key, fhirBase: mine.fhirBase, clientId: 'sp-link', scope: 'system/*.cruds', now: new Date(Date.now() - 3_600_000) });
    const cases: [string, string, RegExp][] = [
      ['another record’s token', foreign.accessToken, /not valid for this server/],
      ['signed for another base', wrongAud.accessToken, /not valid|another server/],
      ['expired', expired.accessToken, /expired/],
      ['forged', `${expired.accessToken.split('.').slice(0, 2).join('.')}.AAAA`, /not valid/],
    ];
    for (const [name, token, reason] of cases) {
      const res = await get(`${base}/Task/${task.id}`, token);
      expect(res.status, name).to.equal(401);
      expect(res.headers.get('www-authenticate'), name).to.match(/error="invalid_token"/);
      const outcome = (await res.json()) as OperationOutcome;
      expect(outcome.resourceType).to.equal('OperationOutcome');
      expect(outcome.issue[0]?.details?.text, name).to.match(reason);
    }
  });

  it('sp-link doctor checks the hosted record: reachable, SP Link’s own token, discovery, no anonymous access, each client’s keys and scopes', async () => {
    const report = await runDoctor(sys.config, { readOnly: true });
    const status = (check: string) => report.checks.find((c) => c.endpoint === 'link-worker:community-links' && c.check === check)?.status;
    expect(status('reachable: GET /metadata')).to.equal('PASS');
    expect(status('backend token obtainable')).to.equal('PASS');
    expect(status('hosted: SMART Backend Services discovery')).to.equal('PASS');
    expect(status('hosted: no access without a token')).to.equal('PASS');
    expect(status('hosted: backend client case-system keys')).to.equal('PASS');
    expect(status('hosted: backend client reporting keys')).to.equal('PASS');
    expect(status('hosted: backend client reporting scopes')).to.equal('PASS');
  });

  it('audits every access and token request: who, what, outcome; never the query', async () => {
    type Row = { actor: string; action: string; resource_ref: string | null; outcome: string; details: Record<string, unknown> };
    const audited = async () => (await sys.db.query<Row>("SELECT actor, action, resource_ref, outcome, details FROM audit_events WHERE action LIKE 'hosted.%' ORDER BY id")).rows;
    const anonymousSearches = (rows: Row[]) => rows.filter((r) => r.actor === 'anonymous' && r.details.method === 'GET' && r.resource_ref === null && r.details.resourceType === 'Task').length;
    const before = anonymousSearches(await audited());
    await get(`${base}/Task?identifier=9434765919`);
    // An entry is written once its response has been sent: wait for this one.
    let rows = await audited();
    for (let i = 0; i < 400 && anonymousSearches(rows) === before; i++) {
      await new Promise((r) => setTimeout(r, 50));
      rows = await audited();
    }
    expect(anonymousSearches(rows)).to.equal(before + 1);
    const seen = rows.map((r) => `${r.action} ${r.actor} ${r.outcome} ${r.resource_ref ?? ''}`.trim());
    expect(seen).to.include(`hosted.fhir client:sp-link success`);
    expect(seen).to.include(`hosted.fhir anonymous failure Task/${task.id}`);
    expect(seen).to.include(`hosted.fhir client:case-system success Task/${task.id}`);
    expect(seen).to.include(`hosted.fhir client:case-system failure Task/${task.id}`);
    expect(seen).to.include('hosted.token client:case-system success');
    expect(seen).to.include('hosted.token client:case-system failure');
    expect(seen).to.include('hosted.token anonymous failure');
    const replay = rows.find((r) => r.action === 'hosted.token' && /replay/.test(String(r.details.reason)));
    expect(replay?.details).to.include({ endpoint: 'community-links', error: 'invalid_client' });
    expect(JSON.stringify(rows)).to.not.include('9434765919');
  });
});
