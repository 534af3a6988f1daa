import { expect } from 'chai';
import * as client from 'openid-client';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { bootAuthApp, type AuthTestApp } from '../auth/boot.js';
import { ehrAuthorizationRequest, followToRedirectUri, gpAppClient } from '../auth/browser-flow.js';
import { getDevToken } from '../../../helpers/sandbox-tokens.js';

/** No Practitioner scope: `_include` must not hand one out either. */
const SCOPE = 'launch openid fhirUser patient/Patient.r patient/Observation.rs';

/** pat-a's records that point at pat-b's, at pat-b's Patient and at the GP; and records of both derived from them. */
const LINKED: Resource[] = [
  {
    resourceType: 'Observation',
    id: 'panel-a',
    status: 'final',
    code: { text: 'panel' },
    subject: { reference: 'Patient/pat-a' },
    focus: [{ reference: 'Patient/pat-b' }],
    hasMember: [{ reference: 'Observation/obs-b' }, { reference: 'Observation/obs-a' }],
    performer: [{ reference: 'Practitioner/gp-test' }],
  },
  { resourceType: 'Observation', id: 'derived-a', status: 'final', code: { text: 'd' }, subject: { reference: 'Patient/pat-a' }, derivedFrom: [{ reference: 'Observation/obs-a' }] },
  { resourceType: 'Observation', id: 'derived-b', status: 'final', code: { text: 'd' }, subject: { reference: 'Patient/pat-b' }, derivedFrom: [{ reference: 'Observation/obs-a' }] },
] as Resource[];

const included = (b: Bundle) => (b.entry ?? []).filter((e) => e.search?.mode === 'include').map((e) => `${e.resource?.resourceType}/${e.resource?.id}`).sort();
const matched = (b: Bundle) => (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => `${e.resource?.resourceType}/${e.resource?.id}`).sort();

describe('sandbox FHIR _include/_revinclude under patient scopes (integration)', () => {
  let app: AuthTestApp;
  let patientToken: string;
  let systemToken: string;

  before(async () => {
    app = await bootAuthApp();
    await app.ehr.exclusive(async (repo) => {
      for (const r of LINKED) await repo.createResource(r, { assignedId: true });
    });
    patientToken = await launchAs('pat-a');
    systemToken = await getDevToken(app.url, 'ehr');
  });
  after(async () => app?.stop());

  /** A patient-scoped access token from the real SMART EHR launch (authorization code + PKCE). */
  async function launchAs(patient: string): Promise<string> {
    const { config, redirectUri } = await gpAppClient(app);
    const launch = app.auth.createLaunch({ patient, practitioner: 'gp-test' });
    const { url, verifier, state } = await ehrAuthorizationRequest(app, config, { scope: SCOPE, redirectUri, launch });
    const callback = await followToRedirectUri(url, redirectUri);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.patient).to.equal(patient);
    return tokens.access_token;
  }

  async function search(query: string, token: string): Promise<{ status: number; bundle: Bundle; challenge: string | null }> {
    const res = await fetch(`${app.ehrBase}/${query}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, bundle: (await res.json()) as Bundle, challenge: res.headers.get('www-authenticate') };
  }

  const INCLUDES = 'Observation?patient=pat-a&_include=Observation:has-member&_include=Observation:focus&_include=Observation:performer&_include=Observation:subject';

  it('includes everything referenced for a token that may read it all (the fixture really links across patients)', async () => {
    const { status, bundle } = await search(INCLUDES, systemToken);
    expect(status).to.equal(200);
    expect(included(bundle)).to.deep.equal(['Observation/obs-b', 'Patient/pat-a', 'Patient/pat-b', 'Practitioner/gp-test']);
  });

  it("leaves out another patient's resources and types without a scope, keeping the patient's own and the search", async () => {
    const { status, bundle, challenge } = await search(INCLUDES, patientToken);
    expect(status).to.equal(200);
    expect(matched(bundle)).to.deep.equal(['Observation/derived-a', 'Observation/obs-a', 'Observation/panel-a']);
    expect(included(bundle)).to.deep.equal(['Patient/pat-a']);
    const ids = (bundle.entry ?? []).map((e) => e.resource?.id);
    for (const leaked of ['pat-b', 'obs-b', 'gp-test']) expect(ids).to.not.include(leaked);
    expect(challenge).to.equal(null);
  });

  it("leaves another patient's resources out of _revinclude", async () => {
    const all = await search('Observation?patient=pat-a&_revinclude=Observation:derived-from', systemToken);
    expect(included(all.bundle)).to.deep.equal(['Observation/derived-b']);
    const { status, bundle } = await search('Observation?patient=pat-a&_revinclude=Observation:derived-from', patientToken);
    expect(status).to.equal(200);
    expect(matched(bundle)).to.include('Observation/obs-a');
    expect(included(bundle)).to.deep.equal([]);
  });

  it('filters includes of a search inside a batch too', async () => {
    const res = await fetch(app.ehrBase, {
      method: 'POST',
      headers: { authorization: `Bearer ${patientToken}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: INCLUDES } }] }),
    });
    expect(res.status).to.equal(200);
    const inner = ((await res.json()) as Bundle).entry?.[0]?.resource as Bundle;
    expect(included(inner)).to.deep.equal(['Patient/pat-a']);
  });
});
