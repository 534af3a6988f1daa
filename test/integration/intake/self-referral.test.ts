import { expect } from 'chai';
import type { Communication, Patient, Provenance, ServiceRequest, Task } from '@medplum/fhirtypes';
import { londonDate } from '../../../src/time/london.js';
import { Browser, formFields } from '../workspace/harness.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';
import { sandboxFhir } from '../../helpers/http.js';
import { hiddenFields as hidden, intakeForm, type Form } from '../../helpers/intake-forms.js';
import { patientId, patientNhsNumber } from '../../../src/sandbox/demo/patients.js';
import { REFERRAL_SOURCE_EXTENSION, hasNoGpRecord } from '../../../src/referral-model/referral-source.js';

/**
 * The public self-referral form through the whole system (sandbox GP system, link-worker server, reconciler's outbox):
 * the steps as a browser without JavaScript posts them, the confirmation, the Task in the link worker's queue with
 * the identity decision recorded, and the abuse limits.
 */

const MARGARET = {
  'about-you': { givenName: 'Peggy', familyName: 'ELLIS', dobDay: '14', dobMonth: '3', dobYear: '1941', postcode: 'fb12ab', nhsNumber: '' },
  contact: { phone: '01632 960 111', email: '', safeTimes: 'Mornings <b>please</b>', leaveMessage: 'yes' },
  help: { needs: ['loneliness', 'other'], otherNeed: 'Getting to the shops', whatMatters: 'Seeing people again & "getting out"' },
  sharing: { consentService: 'yes', consentGp: 'yes' },
  support: { access: ['large-print'], language: '', accessDetail: '' },
} satisfies Record<string, Form>;

describe('intake: the public self-referral form', function () {
  this.timeout(300_000);
  let sys: TestSystem;
  before(async () => {
    sys = await startTestSystem({ edit: (raw) => { raw.intake = { enabled: true, linkWorkerEndpoint: 'demo-link-workers', perContactPerDay: 2 }; } });
  });
  after(async () => sys?.stop());

  const selfForm = intakeForm(() => sys, '/refer');
  const { fhir, search, deliveredTask } = sandboxFhir(() => sys);
  const { fillIn } = selfForm;
  const taskAtLinkWorker = (referralId: string) => deliveredTask(referralId);

  /** The GP record's messages that a referral was made by someone other than the GP. */
  const received = async (srId: string) =>
    (await search<Communication>('ehr', `Communication?based-on=ServiceRequest/${srId}`)).filter((c) => c.topic?.coding?.some((x) => x.code === 'referral-received'));

  /** The Task once the outbox has pointed it at the GP record's ServiceRequest. */
  const taskInGpRecord = (referralId: string): Promise<Task> => deliveredTask(referralId, { until: (t) => !hasNoGpRecord(t), between: () => sys.reconciler!.runOutbox() });

  const send = (steps: Record<string, Form>): Promise<string> => selfForm.refer(steps);

  it('a person refers themselves; the Task reaches the link worker, matched to their GP record, with the evidence kept', async () => {
    const start = await fetch(`${sys.url}/refer`);
    expect(start.status).to.equal(200);
    const check = await fillIn(MARGARET);
    // Everything the person typed is shown escaped.
    expect(check).to.contain('Mornings &lt;b&gt;please&lt;/b&gt;').and.not.contain('<b>please</b>');
    const sent = await selfForm.send(check);
    expect(sent.status).to.equal(200);
    expect(sent.headers.get('cache-control')).to.equal('no-store');
    const reference = sent.reference;
    expect(reference, sent.text).to.be.a('string');
    expect(sent.text).to.contain('What happens next').and.contain('by phone');

    const { rows } = await sys.db.query<{ match_outcome: string; patient_id: string; share_with_gp: boolean; match: unknown; tenant_id: string }>('SELECT * FROM community_referrals WHERE referral_id = $1', [reference]);
    expect(rows[0]).to.include({ match_outcome: 'matched', patient_id: patientId(1), share_with_gp: true, tenant_id: 'demo-practice' });
    const evidence = JSON.stringify(rows[0]!.match);
    expect(evidence).to.contain('known-as').and.not.contain('Ellis').and.not.contain('Peggy');

    const task = await taskAtLinkWorker(reference!);
    expect(task, 'Task delivered by the outbox').to.not.equal(undefined);
    expect(task!.extension?.find((e) => e.url === REFERRAL_SOURCE_EXTENSION)?.valueCode).to.equal('self');
    expect(task!.for?.identifier?.value).to.equal(patientNhsNumber(1));
    expect(task!.status).to.equal('requested');
    const copy = JSON.stringify(task!.contained);
    expect(copy).to.contain('Getting to the shops').and.contain('01632 960 111').and.contain('shareWithGp');

    // Sent twice (a double click, a resend after a timeout): one referral.
    const again = await selfForm.send(check);
    expect(again.text).to.contain(reference!);
    const count = await sys.db.query<{ n: number }>('SELECT count(*)::int AS n FROM community_referrals');
    expect(Number(count.rows[0]!.n)).to.equal(1);
    gpToldReference = reference!;
  });

  let gpToldReference = '';
  it('matched and agreed that the GP is told: the GP record gets the referral (the person as requester) and one message, with Provenance; the Task points there', async () => {
    const task = await taskInGpRecord(gpToldReference);
    expect(task, 'the Task is pointed at the GP record').to.not.equal(undefined);
    const ehrBase = `${sys.url}/sandbox/ehr/fhir`;
    expect(task!.focus?.reference).to.match(new RegExp(`^${ehrBase}/ServiceRequest/[^/]+$`));
    expect(task!.for?.identifier?.value).to.equal(patientNhsNumber(1));
    const key = encodeURIComponent(`https://fhir.sp-link.example.org/Id/referral|${gpToldReference}`);
    const [sr, ...more] = await search<ServiceRequest>('ehr', `ServiceRequest?identifier=${key}`);
    expect(more).to.have.length(0);
    expect(task!.focus?.reference).to.equal(`${ehrBase}/ServiceRequest/${sr!.id}`);
    expect(sr!.subject).to.deep.include({ reference: `Patient/${patientId(1)}` });
    expect(sr!.requester?.reference, 'the true requester: the person').to.equal(`Patient/${patientId(1)}`);
    expect(sr!.requester?.display).to.contain('self-referral');
    expect(sr!.extension?.find((e) => e.url === REFERRAL_SOURCE_EXTENSION)?.valueCode).to.equal('self');
    expect(JSON.stringify(sr)).to.not.contain('#patient');
    // The message that it was made (the reconciler then adds its own, e.g. progress, as for any referral).
    const comms = await received(sr!.id!);
    expect(comms).to.have.length(1);
    expect(comms[0]!.topic?.coding?.[0]?.code).to.equal('referral-received');
    expect(comms[0]!.recipient?.[0]?.display).to.equal(sys.config.tenants.find((t) => t.id === 'demo-practice')!.name);
    expect(comms[0]!.text?.div).to.contain('will contact the person');
    const recorded = async () => (await search<Provenance>('ehr', `Provenance?target=ServiceRequest/${sr!.id}`)).filter((p) => p.activity?.text === 'Self-referral recorded for the GP');
    const prov = await recorded();
    expect(prov).to.have.length(1);
    expect(prov[0]!.agent[0]?.who?.reference).to.equal(`Patient/${patientId(1)}`);
    // Asked again (another pass, a resend): nothing more is written, in the record or at the link-worker service.
    const version = task!.meta?.versionId;
    await sys.db.query(`UPDATE reconcile_outbox SET state = 'ready' WHERE kind = 'gp-record' AND referral_identifier = $1`, [gpToldReference]);
    await sys.reconciler!.runOutbox();
    expect(await search('ehr', `ServiceRequest?identifier=${key}`)).to.have.length(1);
    expect(await received(sr!.id!)).to.have.length(1);
    expect(await recorded()).to.have.length(1);
    expect((await taskAtLinkWorker(gpToldReference))!.meta?.versionId).to.equal(version);
  });

  it('matched but did not agree that the GP is told: nothing is written to the GP record', async () => {
    const reference = await send({ ...MARGARET, contact: { ...MARGARET.contact, phone: '01632 960 333' }, sharing: { consentService: 'yes', consentGp: 'no' } });
    const { rows } = await sys.db.query<{ match_outcome: string; share_with_gp: boolean }>('SELECT * FROM community_referrals WHERE referral_id = $1', [reference]);
    expect(rows[0]).to.include({ match_outcome: 'matched', share_with_gp: false });
    expect(await taskAtLinkWorker(reference)).to.not.equal(undefined);
    await sys.reconciler!.runOutbox();
    const task = (await taskAtLinkWorker(reference))!;
    expect(hasNoGpRecord(task)).to.equal(true);
    expect(await search('ehr', `ServiceRequest?identifier=${encodeURIComponent(`https://fhir.sp-link.example.org/Id/referral|${reference}`)}`)).to.have.length(0);
    const queued = await sys.db.query('SELECT 1 FROM reconcile_outbox WHERE kind = $1 AND referral_identifier = $2', ['gp-record', reference]);
    expect(queued.rows).to.have.length(0);
  });

  it('a person with no GP record here: no match, never linked; the NHS number they typed is kept as unconfirmed', async () => {
    // 999 005 0023: a valid number from the test range that no demo patient holds.
    const check = await fillIn({ ...MARGARET, 'about-you': { givenName: 'Ottilie', familyName: 'Quist', dobDay: '2', dobMonth: '2', dobYear: '1990', postcode: 'ZZ1 1ZZ', nhsNumber: '999 005 0023' }, contact: { phone: '', email: 'ottilie@example.org', safeTimes: '', leaveMessage: 'no' } });
    const reference = (await selfForm.send(check)).reference!;
    const { rows } = await sys.db.query<{ match_outcome: string; patient_id: string | null }>('SELECT * FROM community_referrals WHERE referral_id = $1', [reference]);
    expect(rows[0]).to.include({ match_outcome: 'no-match', patient_id: null });
    const task = (await taskAtLinkWorker(reference))!;
    expect(task.for?.reference).to.equal('#patient');
    expect(task.for?.identifier).to.equal(undefined);
    expect(JSON.stringify(task.contained)).to.contain('not confirmed by a GP record');
  });

  it('two records the person could be (a namesake at the same address): ambiguous, for the service manager, never linked', async () => {
    const twin = { resourceType: 'Patient', name: [{ family: 'Ellis', given: ['Margaret'] }], birthDate: '1941-03-14', address: [{ postalCode: 'FB1 2AB' }] };
    expect((await fhir<Patient>('ehr', 'Patient', { method: 'POST', body: JSON.stringify(twin) })).id).to.be.a('string');
    const check = await fillIn({ ...MARGARET, contact: { ...MARGARET.contact, phone: '01632 960 222' } });
    const reference = (await selfForm.send(check)).reference!;
    const { rows } = await sys.db.query<{ match_outcome: string; patient_id: string | null; match: { reason: string; practices: { decision: { candidates: unknown[] } }[] } }>('SELECT * FROM community_referrals WHERE referral_id = $1', [reference]);
    expect(rows[0]).to.include({ match_outcome: 'ambiguous', patient_id: null });
    expect(rows[0]!.match.reason).to.match(/2 patients match/);
    expect(rows[0]!.match.practices[0]!.decision.candidates).to.have.length.greaterThan(1);
    const task = (await taskAtLinkWorker(reference))!;
    expect(task.for?.reference).to.equal('#patient');
    ambiguousReference = reference;
  });

  let ambiguousReference = '';
  it('the service manager links it: the GP record is told, the Task points there, and outcome measures can be recorded', async () => {
    const nina = new Browser(sys.url);
    await nina.signIn('nina.kaur');
    const path = `/workspace/identity-reviews/${ambiguousReference}`;
    const page = await nina.get(path);
    expect(page.status).to.equal(200);
    const linked = await nina.post(path, { ...formFields(page.text, path), decision: `link:demo-practice:${patientId(1)}`, note: 'Confirmed date of birth and address by phone' });
    expect(linked.text).to.contain('linked to the GP record');
    const task = await taskInGpRecord(ambiguousReference);
    expect(task, 'the linked Task is pointed at the GP record').to.not.equal(undefined);
    const [sr] = await search<ServiceRequest>('ehr', `ServiceRequest?identifier=${encodeURIComponent(`https://fhir.sp-link.example.org/Id/referral|${ambiguousReference}`)}`);
    expect(sr!.subject?.reference).to.equal(`Patient/${patientId(1)}`);
    expect(await received(sr!.id!)).to.have.length(1);

    // The link worker works it: an outcome measure is recorded against the person's GP record.
    const sarah = new Browser(sys.url);
    await sarah.signIn('sarah.whitfield');
    const casePath = `/workspace/cases/${task!.id}`;
    const act = async (action: string, form: Record<string, string> = {}) => {
      const p = await sarah.get(casePath);
      return sarah.post(`${casePath}/${action}`, { ...formFields(p.text, `${casePath}/${action}`), ...form });
    };
    expect((await act('accept')).text).to.contain('Referral accepted.');
    const outcome = await act('outcome', { instrument: 'swemwbs', date: londonDate(new Date()), 'score-total': '21' });
    expect(outcome.text).to.not.contain('could not be identified in the GP record');
    expect(outcome.text).to.contain('Outcome measure saved.');
  });

  it('linked without agreement to tell the GP: outcome measures can still be recorded, and nothing reaches the GP record', async () => {
    const { rows } = await sys.db.query<{ referral_id: string }>("SELECT referral_id FROM community_referrals WHERE match_outcome = 'matched' AND NOT share_with_gp LIMIT 1");
    const reference = rows[0]!.referral_id;
    const task = (await taskAtLinkWorker(reference))!;
    const sarah = new Browser(sys.url);
    await sarah.signIn('sarah.whitfield');
    const casePath = `/workspace/cases/${task.id}`;
    const act = async (action: string, form: Record<string, string> = {}) => {
      const p = await sarah.get(casePath);
      return sarah.post(`${casePath}/${action}`, { ...formFields(p.text, `${casePath}/${action}`), ...form });
    };
    expect((await act('accept')).text).to.contain('Referral accepted.');
    const outcome = await act('outcome', { instrument: 'swemwbs', date: londonDate(new Date()), 'score-total': '19' });
    expect(outcome.text).to.contain('Outcome measure saved.');
    await sys.reconciler!.runOutbox();
    expect(hasNoGpRecord((await taskAtLinkWorker(reference))!)).to.equal(true);
  });

  it('each step says what is wrong, next to the field, and keeps the answers', async () => {
    const page = await (await fetch(`${sys.url}/refer/about-you`)).text();
    const res = await selfForm.post('about-you', { ...hidden(page), givenName: '<script>x</script>', familyName: '', dobDay: '31', dobMonth: '2', dobYear: '1980', postcode: 'nope', nhsNumber: '1234567890', website: '' });
    expect(res.status).to.equal(422);
    expect(res.text).to.contain('There is a problem').and.contain('Enter your last name').and.contain('Enter a real date of birth').and.contain('Enter a real postcode').and.contain('Check your NHS number');
    expect(res.text).to.contain('href="#familyName"').and.contain('value="&lt;script&gt;x&lt;/script&gt;"').and.not.contain('<script>x');
    expect(res.text).to.match(/<title>Error: /);
  });

  it('refuses without writing: the honeypot, a body over the size limit, a post from another site, a missing submission id', async () => {
    const before = await sys.db.query<{ n: number }>('SELECT count(*)::int AS n FROM community_referrals');
    const check = await fillIn(MARGARET);
    expect((await selfForm.send(check, { website: 'http://spam.example' })).status).to.equal(400);
    expect((await selfForm.send(check, { whatMatters: 'x'.repeat(20_000) })).status).to.equal(413);
    expect((await selfForm.send(check, {}, { headers: { origin: 'https://evil.example' } })).status).to.equal(400);
    expect((await selfForm.send(check, { submissionId: 'short' })).status).to.equal(400);
    const after = await sys.db.query<{ n: number }>('SELECT count(*)::int AS n FROM community_referrals');
    expect(Number(after.rows[0]!.n)).to.equal(Number(before.rows[0]!.n));
  });

  it('limits referrals per contact detail in a day (perContactPerDay), and says so in plain words', async () => {
    const who = { ...MARGARET, 'about-you': { ...MARGARET['about-you'], givenName: 'Lim', familyName: 'Ited', postcode: 'ZZ2 2ZZ' }, contact: { phone: '', email: 'Limit@Example.org', safeTimes: '', leaveMessage: 'no' } };
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const check = await fillIn(i === 2 ? { ...who, contact: { ...who.contact, email: 'limit@example.ORG' } } : who);
      const res = await selfForm.send(check);
      statuses.push(res.status);
      if (res.status === 429) expect(res.text).to.contain('You have already sent a request');
    }
    expect(statuses).to.deep.equal([200, 200, 429]);
  });
});
