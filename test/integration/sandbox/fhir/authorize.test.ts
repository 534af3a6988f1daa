import { expect } from 'chai';
import type { Request } from 'express';
import type { FhirAccess } from '../../../../src/sandbox/fhir/index.js';
import { fhir, startSandboxApp, type SandboxApp } from './sandbox-app.js';

class Denied extends Error {
  constructor(readonly httpStatus: number) {
    super(httpStatus === 401 ? 'token required' : 'not allowed');
  }
}

/** The authorisation hook the SMART layer plugs into: every interaction, batch entries included. */
describe('sandbox FHIR server: authorize hook', () => {
  let app: SandboxApp;
  const seen: FhirAccess[] = [];

  before(async () => {
    const authorize = async (req: Request, access: FhirAccess): Promise<void> => {
      seen.push(access);
      if (req.get('x-test-token') === undefined) throw new Denied(401);
      if (access.type === 'Practitioner' && access.interaction === 'create') throw new Denied(403);
    };
    app = await startSandboxApp({ ehr: { authorize } });
  });
  after(async () => {
    await app.close();
  });
  beforeEach(() => {
    seen.length = 0;
  });

  const token = { 'x-test-token': 'yes' };

  it('sees reads, searches and metadata with the HTTP request', async () => {
    expect((await fhir('GET', `${app.urls.ehr}/Patient/pat-01`, undefined, token)).status).to.equal(200);
    expect((await fhir('GET', `${app.urls.ehr}/Patient?gender=female`, undefined, token)).status).to.equal(200);
    expect((await fhir('GET', `${app.urls.ehr}/metadata`, undefined, token)).status).to.equal(200);
    expect(seen.map((a) => `${a.interaction}:${a.type}${a.id ? `/${a.id}` : ''}`)).to.deep.equal([
      'read:Patient/pat-01',
      'search:Patient',
      'metadata:CapabilityStatement',
    ]);
    expect(seen[1]?.query?.gender).to.equal('female');
  });

  it('turns denials into 401/403 OperationOutcomes', async () => {
    const anonymous = await fhir('GET', `${app.urls.ehr}/Patient/pat-01`);
    expect(anonymous.status).to.equal(401);
    expect(anonymous.body.resourceType).to.equal('OperationOutcome');
    const forbidden = await fhir('POST', `${app.urls.ehr}/Practitioner`, { resourceType: 'Practitioner' }, token);
    expect(forbidden.status).to.equal(403);
    expect(forbidden.body.issue[0].details.text).to.equal('not allowed');
  });

  it('checks every transaction entry, and a denied entry rolls the whole transaction back', async () => {
    const patients = async (): Promise<number> => (await fhir('GET', `${app.urls.ehr}/Patient?_count=0`, undefined, token)).body.total;
    const before = await patients();
    seen.length = 0;
    const res = await fhir(
      'POST',
      app.urls.ehr,
      {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:6b0f6a44-0000-4000-8000-0000000000a1', resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
          { fullUrl: 'urn:uuid:6b0f6a44-0000-4000-8000-0000000000a2', resource: { resourceType: 'Practitioner' }, request: { method: 'POST', url: 'Practitioner' } },
        ],
      },
      token,
    );
    expect(res.status).to.equal(403);
    expect(seen.map((a) => `${a.interaction}:${a.type}`)).to.deep.equal(['transaction:Bundle', 'create:Patient', 'create:Practitioner']);
    expect(seen[1]?.resource?.resourceType).to.equal('Patient');
    expect(await patients()).to.equal(before);
  });
});
