import { expect } from 'chai';
import type { Task } from '@medplum/fhirtypes';
import { FhirClient } from '../../../src/fhir/client.js';
import { validateForWrite } from '../../../src/fhir/validate/index.js';
import { buildCommunityTask } from '../../../src/intake/build-task.js';
import { IDENTIFIER_SYSTEM } from '../../../src/referral-model/codes.js';
import { DEMO_IDS, ODS } from '../../../src/sandbox/demo/index.js';
import { insertCommunityReferral } from '../../../src/store/community-referrals.js';
import { Browser, formFields, startWorkspaceHarness, type WorkspaceHarness } from './harness.js';
import { makeGpReferral } from './gp-referral.js';

/**
 * Triage of referrals from the person themselves (and agencies) in the link worker's "new referrals": the source,
 * the contact details and the consent's scope, the identity evidence SP Link kept; signpost only ends the referral.
 */
describe('workspace: triage of referrals from anyone (HTTP)', function () {
  this.timeout(300_000);
  let h: WorkspaceHarness;
  let lw: FhirClient;
  let self: Task;
  let gp: Task;
  const b = () => new Browser(h.url);

  before(async () => {
    h = await startWorkspaceHarness();
    lw = new FhirClient({ baseUrl: `${h.url}/sandbox/lw/fhir`, validate: validateForWrite });
    ({ task: gp } = await makeGpReferral({ ehr: `${h.url}/sandbox/ehr/fhir`, lw: `${h.url}/sandbox/lw/fhir` }));
    const referralId = 'SPL-TRIA-GE01';
    const built = buildCommunityTask(
      {
        person: { given: 'Ottilie', family: 'Quist', birthDate: '1990-02-02', postcode: 'FB1 9ZZ' },
        contact: { phone: '07700 900123', email: 'ottilie@example.org', methods: ['phone', 'email'], safeTimes: 'After 6pm', leaveMessage: false },
        needs: ['debt-money'],
        whatMatters: 'Sorting out <my> debts',
        consent: { service: true, gp: false },
        accessibility: { needs: [] },
      },
      { source: 'self', referralId, identifierSystem: IDENTIFIER_SYSTEM.referral, now: new Date(), owner: { reference: `Organization/${DEMO_IDS.linkWorkerOrg}`, identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: ODS.linkWorkerService } } },
    );
    self = (await lw.create(built)).resource as Task;
    await insertCommunityReferral(h.db, {
      referralId, endpointId: 'demo-link-workers', source: 'self', matchOutcome: 'ambiguous', shareWithGp: false, contactHashes: [], taskIdentifier: referralId,
      match: { outcome: 'ambiguous', reason: '2 patients match the details given', practices: [{ tenantId: 'demo-practice', decision: { outcome: 'ambiguous', method: 'demographics', reason: '2 patients match', threshold: 88, candidates: [
        { patientId: 'pat-x', score: 85, confident: false, fields: [{ field: 'family', result: 'exact', points: 30 }, { field: 'postcode', result: 'same-area', points: 6 }] },
      ] } }] },
    });
  });
  after(async () => h?.stop());

  it('new referrals show each one’s source; the case shows contact details, the consent’s scope and the identity evidence', async () => {
    const sarah = b();
    await sarah.signIn('sarah.whitfield');
    const list = await sarah.get('/workspace/caseload?view=new');
    const sourceOf = (id: string) => new RegExp(`data-case-id="${id}"[\\s\\S]*?data-testid="source">([^<]+)<`).exec(list.text)?.[1];
    expect(sourceOf(self.id!)).to.equal('Self-referral');
    expect(sourceOf(gp.id!)).to.equal('GP');
    const page = await sarah.get(`/workspace/cases/${self.id}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('07700 900123').and.contain('ottilie@example.org').and.contain('After 6pm');
    expect(page.text).to.contain('Sorting out &lt;my&gt; debts');
    expect(page.text).to.contain('did not agree to their GP being told');
    expect(page.text).to.contain('data-testid="awaiting-review"').and.contain('data-patient="pat-x"').and.contain('Same area only');
    // The GP's own referral has no identity check to show.
    expect((await sarah.get(`/workspace/cases/${gp.id}`)).text).to.not.contain('data-testid="identity"');
  });

  it('signpost only: the referral ends completed and signposted, with a Provenance, and leaves new referrals', async () => {
    const sarah = b();
    await sarah.signIn('sarah.whitfield');
    const path = `/workspace/cases/${self.id}`;
    const page = await sarah.get(path);
    const service = /name="services" type="checkbox" value="([^"]+)"/.exec(page.text.slice(page.text.indexOf(`${path}/signpost`)))?.[1];
    expect(service, 'directory services offered').to.be.a('string');
    const empty = await sarah.post(`${path}/signpost`, { ...formFields(page.text, `${path}/signpost`), advice: '' });
    expect(empty.status).to.equal(400);
    expect(empty.text).to.contain('Enter what information or advice you gave the person');
    const done = await sarah.post(`${path}/signpost`, { ...formFields(page.text, `${path}/signpost`), services: service!, advice: 'Gave the drop-in times' });
    expect(done.status).to.equal(200);
    expect(done.text).to.contain('Signposted. The referral has ended');
    const t = await lw.read<Task>('Task', self.id!);
    expect(t.status).to.equal('completed');
    expect(t.businessStatus?.coding?.[0]?.code).to.equal('signposted');
    expect(t.output?.find((o) => o.type.coding?.[0]?.code === 'summary')?.valueString).to.contain('Gave the drop-in times');
    const prov = await lw.search('Provenance', { target: `Task/${self.id}` });
    expect(prov.entry?.length).to.be.greaterThan(0);
    const list = await sarah.get('/workspace/caseload?view=new');
    expect(list.text).to.not.contain(`data-case-id="${self.id}"`);
    const audit = await h.db.query<{ action: string }>('SELECT action FROM audit_events WHERE resource_ref = $1', [`Task/${self.id}`]);
    expect(audit.rows.map((r) => r.action)).to.include('workspace.signpost');
  });
});
