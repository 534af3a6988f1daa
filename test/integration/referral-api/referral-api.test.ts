import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import type { Bundle, OperationOutcome, ServiceRequest, Task } from '@medplum/fhirtypes';
import { spLinkDefinitions } from '../../../src/fhir/validate/definitions.js';
import { REFERRAL_SOURCE_EXTENSION } from '../../../src/referral-model/referral-source.js';
import { patientId, patientNhsNumber } from '../../../src/sandbox/demo/patients.js';
import { devAuthHeader } from '../../helpers/sandbox-tokens.js';
import { startTestSystem, TEST_RATE_LIMITS, type TestSystem } from '../../helpers/system.js';

/**
 * The referral API through the whole system: an agency's own system gets a token with SMART Backend Services (a real
 * signed client assertion), posts an SPLinkAgencyReferral, retries it, sends an invalid one; the Task reaches the
 * link worker through the outbox with the agency as requester and the person matched to their GP record.
 */

interface Client { id: string; key: CryptoKey; kid: string }

describe('intake: the referral API for agencies’ systems', function () {
  this.timeout(300_000);
  let sys: TestSystem;
  let housing: Client;
  let readOnly: Client;
  let stranger: Client;
  let api: string;

  before(async () => {
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => generateKeyPair('ES384', { extractable: true })));
    housing = { id: 'fernbridge-housing', key: a!.privateKey, kid: 'h1' };
    readOnly = { id: 'reporting-only', key: b!.privateKey, kid: 'r1' };
    stranger = { id: 'fernbridge-housing', key: c!.privateKey, kid: 'h1' };
    const jwk = async (k: CryptoKey, kid: string) => ({ keys: [{ ...(await exportJWK(k)), kid, alg: 'ES384', use: 'sig' }] });
    const housingJwks = await jwk(a!.publicKey, 'h1');
    const readJwks = await jwk(b!.publicKey, 'r1');
    sys = await startTestSystem({
      edit: (raw) => {
        raw.intake = {
          enabled: true,
          linkWorkerEndpoint: 'demo-link-workers',
          agencyClients: [
            { clientId: housing.id, name: 'Fernbridge Housing case system', organisation: { name: 'Fernbridge Housing Association', odsCode: 'FBH01' }, jwks: housingJwks },
            { clientId: readOnly.id, name: 'A client registered without the referral scope', organisation: { name: 'Elsewhere' }, jwks: readJwks, scopes: 'system/ServiceRequest.rs' },
          ],
        };
        raw.rateLimits = { ...TEST_RATE_LIMITS, referralApi: { perIp: 100_000, perClient: 100_000 } };
      },
    });
    api = `${sys.url}/referral-api/fhir`;
  });
  after(async () => sys?.stop());

  async function token(c: Client, scope = 'system/ServiceRequest.c'): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES384', kid: c.kid, typ: 'JWT' })
      .setIssuer(c.id)
      .setSubject(c.id)
      .setAudience(`${sys.url}/referral-api/auth/token`)
      .setExpirationTime(now + 120)
      .setJti(randomUUID())
      .sign(c.key);
    const res = await fetch(`${sys.url}/referral-api/auth/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion, scope }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(body)).to.equal(200);
    return String(body.access_token);
  }

  /** The profile's example, posted as a stranger's system would: Margaret Ellis of the demo practice. */
  function referral(identifier: string): ServiceRequest {
    const sr = structuredClone(spLinkDefinitions().examples.find((e) => e.id === 'agency-referral-example')) as ServiceRequest;
    sr.identifier = [{ system: 'https://housing.example.org/Id/referral', value: identifier }];
    const p = sr.contained!.find((r) => r.resourceType === 'Patient')!;
    Object.assign(p, { name: [{ family: 'Ellis', given: ['Margaret'] }], birthDate: '1941-03-14', address: [{ use: 'home', postalCode: 'FB1 2AB' }] });
    return sr;
  }

  const post = async (body: unknown, bearer?: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${api}/ServiceRequest`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as OperationOutcome };
  };

  async function taskAtLinkWorker(referralId: string): Promise<Task | undefined> {
    const headers = await devAuthHeader(sys.url, 'lw');
    for (let i = 0; i < 80; i++) {
      const b = (await (await fetch(`${sys.url}/sandbox/lw/fhir/Task?identifier=${encodeURIComponent(`https://fhir.sp-link.example.org/Id/referral-task|${referralId}`)}`, { headers })).json()) as Bundle<Task>;
      if (b.entry?.length) {
        expect(b.entry.length, 'one Task per referral').to.equal(1);
        return b.entry[0]!.resource;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return undefined;
  }

  it('posted twice (a retry): one referral, matched, with the agency as requester; the second answer says so', async () => {
    const bearer = await token(housing);
    const sr = referral('HSG-0001');
    const first = await post(sr, bearer);
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    const location = first.headers.get('location')!;
    const referralId = /\/ServiceRequest\/(SPL-[0-9A-Z]{4}-[0-9A-Z]{4})$/.exec(location)?.[1];
    expect(referralId, location).to.be.a('string');

    const again = await post(sr, bearer, { 'if-none-exist': 'identifier=https://housing.example.org/Id/referral|HSG-0001' });
    expect(again.status, JSON.stringify(again.body)).to.equal(200);
    expect(again.headers.get('location')).to.equal(location);
    expect(again.body.issue[0]).to.include({ severity: 'information', code: 'duplicate' });
    // Two at once (a client that times out and retries while the first is still in flight): still one.
    const both = await Promise.all([post(sr, bearer), post(sr, bearer)]);
    expect(both.map((b) => b.status)).to.deep.equal([200, 200]);

    const { rows } = await sys.db.query<{ n: number; source: string; client_id: string; client_key: string; match_outcome: string; patient_id: string; share_with_gp: boolean }>(
      `SELECT count(*) OVER ()::int AS n, * FROM community_referrals WHERE client_id = $1`, [housing.id]);
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ source: 'agency', client_key: 'https://housing.example.org/Id/referral|HSG-0001', match_outcome: 'matched', patient_id: patientId(1), share_with_gp: true });

    const task = (await taskAtLinkWorker(referralId!))!;
    expect(task, 'Task delivered by the outbox').to.not.equal(undefined);
    expect(task.extension?.find((e) => e.url === REFERRAL_SOURCE_EXTENSION)?.valueCode).to.equal('agency');
    expect(task.for?.identifier?.value).to.equal(patientNhsNumber(1));
    expect(task.requester).to.deep.equal({ reference: '#referrer', display: 'Sam Patel, Housing support officer, Fernbridge Housing Association (FBH01)' });
    const contained = JSON.stringify(task.contained);
    expect(contained).to.contain('sam.patel@housing.example.org').and.contain('FBH01').and.contain('rent arrears');

    const audit = await sys.db.query<{ actor: string }>(`SELECT actor FROM audit_events WHERE action = 'community-referral-create' AND details->>'referralId' = $1`, [referralId]);
    expect(audit.rows.map((r) => r.actor)).to.deep.equal([`client:${housing.id}`]);
  });

  it('an invalid referral: 422 with an OperationOutcome naming each field; nothing is written', async () => {
    const bearer = await token(housing);
    const sr = referral('HSG-0002');
    const p = sr.contained!.find((r) => r.resourceType === 'Patient') as { birthDate?: string; address?: unknown; telecom?: unknown };
    delete p.birthDate;
    p.address = [{ use: 'home', postalCode: 'not a postcode' }];
    delete p.telecom;
    delete sr.reasonCode;
    sr.extension = sr.extension!.filter((e) => !e.url.endsWith('/consent-given'));
    const res = await post(sr, bearer);
    expect(res.status).to.equal(422);
    expect(res.body.resourceType).to.equal('OperationOutcome');
    const fields = res.body.issue.flatMap((i) => i.expression ?? []);
    expect(fields).to.include.members([
      'ServiceRequest.reasonCode',
      'ServiceRequest.extension',
      'ServiceRequest.contained[0].birthDate',
      'ServiceRequest.contained[0].address[0].postalCode',
      'ServiceRequest.contained[0].telecom',
    ]);
    expect(res.body.issue.every((i) => i.severity === 'error' && i.details?.text)).to.equal(true);
    // The person's details are never echoed back or kept.
    expect(JSON.stringify(res.body)).to.not.contain('Ellis');
    const { rows } = await sys.db.query(`SELECT 1 FROM community_referrals WHERE client_key LIKE '%HSG-0002'`);
    expect(rows).to.have.length(0);

    const notSr = await post({ resourceType: 'Patient' }, bearer);
    expect(notSr.status).to.equal(422);
    expect(notSr.body.issue[0]!.expression).to.deep.equal(['ServiceRequest']);
  });

  it('no token, a bad token or another key: 401 with a challenge; a token without the referral scope: 403', async () => {
    const none = await post(referral('HSG-0003'));
    expect(none.status).to.equal(401);
    expect(none.headers.get('www-authenticate')).to.match(/^Bearer realm=/);
    expect(none.body.issue[0]!.code).to.equal('login');
    const forged = await post(referral('HSG-0003'), 'eyJhbGciOiJIUzI1NiJ9.eyJjbGllbnRfaWQiOiJmZXJuYnJpZGdlLWhvdXNpbmcifQ.c2ln');
    expect(forged.status).to.equal(401);
    expect(forged.headers.get('www-authenticate')).to.contain('error="invalid_token"');

    // A key the client never registered cannot get a token at all.
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({}).setProtectedHeader({ alg: 'ES384', kid: 'h1' }).setIssuer(stranger.id).setSubject(stranger.id)
      .setAudience(`${sys.url}/referral-api/auth/token`).setExpirationTime(now + 60).setJti(randomUUID()).sign(stranger.key);
    const refused = await fetch(`${sys.url}/referral-api/auth/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion, scope: 'system/ServiceRequest.c' }),
    });
    expect(refused.status).to.equal(401);
    expect(((await refused.json()) as { error: string }).error).to.equal('invalid_client');

    const wrongScope = await post(referral('HSG-0003'), await token(readOnly, 'system/ServiceRequest.rs'));
    expect(wrongScope.status).to.equal(403);
    expect(wrongScope.headers.get('www-authenticate')).to.contain('error="insufficient_scope"');
    expect(wrongScope.body.issue[0]!.code).to.equal('forbidden');
    const { rows } = await sys.db.query(`SELECT 1 FROM community_referrals WHERE client_key LIKE '%HSG-0003'`);
    expect(rows).to.have.length(0);
    const audit = await sys.db.query<{ actor: string; outcome: string }>(`SELECT actor, outcome FROM audit_events WHERE action = 'referral-api.post' AND outcome = 'failure'`);
    expect(audit.rows.map((r) => r.actor)).to.include.members(['anonymous', `client:${readOnly.id}`]);
  });

  it('publishes its SMART configuration and capability: conditional create of ServiceRequest', async () => {
    const smart = (await (await fetch(`${api}/.well-known/smart-configuration`)).json()) as Record<string, unknown>;
    expect(smart.token_endpoint).to.equal(`${sys.url}/referral-api/auth/token`);
    expect(smart.token_endpoint_auth_methods_supported).to.deep.equal(['private_key_jwt']);
    const cap = (await (await fetch(`${api}/metadata`)).json()) as { rest: { resource: { type: string; conditionalCreate: boolean }[] }[] };
    expect(cap.rest[0]!.resource[0]).to.include({ type: 'ServiceRequest', conditionalCreate: true });
  });
});
