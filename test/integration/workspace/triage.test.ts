import { expect } from 'chai';
import type { Task } from '@medplum/fhirtypes';
import { FhirClient } from '../../../src/fhir/client.js';
import { validateForWrite } from '../../../src/fhir/validate/index.js';
import { buildCommunityTask } from '../../../src/intake/build-task.js';
import { IDENTIFIER_SYSTEM } from '../../../src/referral-model/codes.js';
import { DEMO_IDS, ODS, patientId, patientNhsNumber } from '../../../src/sandbox/demo/index.js';
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
    self = await selfReferral('SPL-TRIA-GE01', 'ambiguous', [{ patientId: 'pat-x', score: 85, confident: false, fields: [{ field: 'family', result: 'exact', points: 30 }, { field: 'postcode', result: 'same-area', points: 6 }] }]);
  });
  after(async () => h?.stop());

  /** A self-referral as the intake leaves it: the Task at the link-worker endpoint and the decision row. */
  async function selfReferral(referralId: string, outcome: 'ambiguous' | 'not-checked', candidates: unknown[]): Promise<Task> {
    const built = buildCommunityTask(
      {
        person: { given: 'Ottilie', family: 'Quist', birthDate: '1990-02-02', postcode: 'FB1 9ZZ' },
        contact: { phone: '07700 900123', email: 'ottilie@example.org', methods: ['phone', 'email'], safeTimes: 'After 6pm', leaveMessage: false },
        needs: ['debt-money'],
        whatMatters: 'Sorting out <my> debts',
        consent: { service: true, gp: false },
        accessibility: { needs: [] },
      },
      { referralId, identifierSystem: IDENTIFIER_SYSTEM.referral, now: new Date(), owner: { reference: `Organization/${DEMO_IDS.linkWorkerOrg}`, identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: ODS.linkWorkerService } } },
    );
    const task = (await lw.create(built)).resource as Task;
    await insertCommunityReferral(h.db, {
      referralId, endpointId: 'demo-link-workers', source: 'self', matchOutcome: outcome, shareWithGp: false, contactHashes: [], taskIdentifier: referralId,
      match: outcome === 'ambiguous'
        ? { outcome, reason: '2 patients match the details given', practices: [{ tenantId: 'demo-practice', decision: { outcome: 'ambiguous', method: 'demographics', reason: '2 patients match', threshold: 88, candidates } }] }
        : { outcome, reason: 'No GP record could be searched', practices: [{ tenantId: 'demo-practice', error: 'timeout' }] },
    });
    return task;
  }


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

  it('the service manager’s identity checks: the queue, the evidence beside each record, a decision with a reason, once', async () => {
    const field = (f: string, v: string) => ({ field: f, result: 'exact', points: v === 'x' ? 0 : 30 });
    const a = await selfReferral('SPL-TRIA-GE02', 'ambiguous', [
      { patientId: patientId(1), score: 85, confident: false, fields: [field('family', ''), field('birthDate', '')] },
      { patientId: patientId(2), score: 60, confident: false, fields: [field('family', '')] },
    ]);
    const b2 = await selfReferral('SPL-TRIA-GE03', 'not-checked', []);
    const sarah = b();
    await sarah.signIn('sarah.whitfield');
    expect((await sarah.get('/workspace/identity-reviews')).status, 'link workers do not review identity').to.equal(403);
    const nina = b();
    await nina.signIn('nina.kaur');
    const queue = await nina.get('/workspace/identity-reviews');
    expect(queue.status).to.equal(200);
    for (const ref of ['SPL-TRIA-GE02', 'SPL-TRIA-GE03']) expect(queue.text).to.contain(`data-referral="${ref}"`);
    const casePage = await nina.get(`/workspace/cases/${a.id}`);
    expect(casePage.text).to.contain('href="/workspace/identity-reviews/SPL-TRIA-GE02"');

    const path = '/workspace/identity-reviews/SPL-TRIA-GE02';
    const page = await nina.get(path);
    expect(page.status).to.equal(200);
    // Each record compared is shown from the GP record, beside its evidence.
    expect(page.text.match(/data-testid="review-candidate"/g)).to.have.length(2);
    const fields = formFields(page.text, path);
    const missing = await nina.post(path, { ...fields, note: '' });
    expect(missing.status).to.equal(400);
    expect(missing.text).to.contain('Select the patient record that is this person').and.contain('Enter why you decided this');
    const notNamed = await nina.post(path, { ...fields, decision: `link:demo-practice:${patientId(3)}`, note: 'Guess' });
    expect(notNamed.status, 'only a record the evidence names can be linked').to.equal(400);
    const linked = await nina.post(path, { ...fields, decision: `link:demo-practice:${patientId(1)}`, note: 'Confirmed date of birth and address by phone' });
    expect(linked.status).to.equal(200);
    expect(linked.text).to.contain('SPL-TRIA-GE02: linked to the GP record').and.not.contain('data-referral="SPL-TRIA-GE02"');
    const t = await lw.read<Task>('Task', a.id!);
    expect(t.for?.identifier?.value).to.equal(patientNhsNumber(1));
    expect(t.note?.at(-1)?.text).to.contain('Identity checked: linked to the GP record').and.contain('Confirmed date of birth');
    const row = await h.db.query<{ patient_id: string; tenant_id: string; review: { decision: string; by: string } }>('SELECT * FROM community_referrals WHERE referral_id = $1', ['SPL-TRIA-GE02']);
    expect(row.rows[0]).to.include({ patient_id: patientId(1), tenant_id: 'demo-practice' });
    expect(row.rows[0]!.review).to.include({ decision: 'linked' });
    const again = await nina.post(path, { ...fields, decision: `link:demo-practice:${patientId(2)}`, note: 'Second thoughts' });
    expect(again.status, 'decided once').to.equal(409);

    const none = await nina.get('/workspace/identity-reviews/SPL-TRIA-GE03');
    const noMatch = await nina.post('/workspace/identity-reviews/SPL-TRIA-GE03', { ...formFields(none.text, '/workspace/identity-reviews/SPL-TRIA-GE03'), decision: 'no-match', note: 'New to the area, not registered yet' });
    expect(noMatch.text).to.contain('recorded that no GP record is this person');
    expect((await lw.read<Task>('Task', b2.id!)).for?.reference).to.equal('#patient');
    const audit = await h.db.query<{ details: { decision: string } }>("SELECT details FROM audit_events WHERE action = 'workspace.identity-review' ORDER BY id");
    expect(audit.rows.map((r) => r.details.decision)).to.deep.equal(['linked', 'no-match']);
    expect((await nina.get('/workspace/identity-reviews')).text).to.contain('There are no identity checks waiting');
  });
});
