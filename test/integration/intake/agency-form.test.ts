import { expect } from 'chai';
import type { Organization, PractitionerRole } from '@medplum/fhirtypes';
import { checkResourceAgainst } from '../../../src/fhir/validate/index.js';
import { PROFILE } from '../../../src/referral-model/codes.js';
import { REFERRAL_SOURCE_EXTENSION, REFERRER_VERIFIED_EXTENSION, UNVERIFIED_AGENCY_LABEL } from '../../../src/referral-model/referral-source.js';
import { patientId, patientNhsNumber } from '../../../src/sandbox/demo/patients.js';
import { sandboxFhir } from '../../helpers/http.js';
import { hiddenFields as hidden, intakeForm, type Form } from '../../helpers/intake-forms.js';
import { startTestSystem, TEST_RATE_LIMITS, type TestSystem } from '../../helpers/system.js';
import { Browser } from '../workspace/harness.js';

/**
 * The public agency form (`/refer/agency`) through the whole system: a professional walks the steps as a browser
 * without JavaScript posts them; the Task reaches the link worker as an unverified agency referral, matched to the
 * person's GP record; and every refusal (no agreement from the person, the honeypot, another site, the size and
 * rate limits) writes nothing.
 */

/** A community pharmacist refers Margaret Ellis (demo patient 1). */
const PHARMACIST = {
  'about-you': { referrerName: 'Priya Shah', referrerRole: 'Community pharmacist', referrerOrganisation: 'Fernbridge <Pharmacy>', referrerOds: 'fa 123', referrerPhone: '01632 960 500', referrerEmail: '' },
  person: { givenName: 'Margaret', familyName: 'Ellis', dobDay: '14', dobMonth: '3', dobYear: '1941', postcode: 'FB1 2AB', nhsNumber: '' },
  contact: { phone: '01632 960 444', email: '', safeTimes: 'After 10am', leaveMessage: 'no' },
  help: { needs: ['loneliness'], otherNeed: '', whatMatters: 'Has stopped going to the lunch club since her fall' },
  urgency: { urgency: 'routine', safeguarding: 'no', safeguardingDetail: '' },
  consent: { personAgreed: 'yes', consentGp: 'yes' },
  support: { access: [], language: '', accessDetail: '' },
} satisfies Record<string, Form>;

/** Per-IP limit on the forms' posts in this suite: each walk comes from an address of its own, the limit test from one. */
const PER_IP = 10;

describe('intake: the agency referral form', function () {
  this.timeout(300_000);
  let sys: TestSystem;
  let ip = 0;
  before(async () => {
    sys = await startTestSystem({
      edit: (raw) => {
        raw.intake = { enabled: true, linkWorkerEndpoint: 'demo-link-workers', perContactPerDay: 2 };
        raw.rateLimits = { ...TEST_RATE_LIMITS, referrals: { perIp: PER_IP } };
        // Each walk of the form is a client of its own (X-Forwarded-For), so the per-IP limit can be tested here.
        (raw.server as Record<string, unknown>).trustProxy = true;
      },
    });
  });
  after(async () => sys?.stop());

  const agencyForm = intakeForm(() => sys, '/refer/agency');
  const { deliveredTask } = sandboxFhir(() => sys);
  const post = (step: string, f: Form, from: string, headers: Record<string, string> = {}) => agencyForm.post(step, f, { from, headers });
  const count = async () => Number((await sys.db.query<{ n: number }>('SELECT count(*)::int AS n FROM community_referrals')).rows[0]!.n);

  /** Walks every step as a browser would from one address, returning the check page. */
  const fillIn = (steps: Record<string, Form>, from = `198.51.100.${++ip}`) => agencyForm.fillIn(steps, { from });

  it('the start page for referrers links to the agency form', async () => {
    expect(await (await fetch(`${sys.url}/refer`)).text()).to.contain('Are you a professional referring someone?').and.contain('href="/refer/agency"');
    const start = await fetch(`${sys.url}/refer/agency`);
    expect(start.status).to.equal(200);
    expect(await start.text()).to.contain('The person must agree to the referral');
  });

  it('a pharmacist refers someone: an unverified agency referral reaches the link worker, matched to the GP record', async () => {
    const check = await fillIn(PHARMACIST);
    expect(check).to.contain('Fernbridge &lt;Pharmacy&gt; (FA123)').and.not.contain('<Pharmacy>');
    expect(check).to.contain('The person you are referring');
    const sent = await agencyForm.send(check, {}, { from: `198.51.100.${++ip}` });
    expect(sent.status, sent.text.slice(0, 2000)).to.equal(200);
    const reference = sent.reference;
    expect(reference, sent.text).to.be.a('string');
    expect(sent.text).to.contain('They will contact Margaret by phone').and.contain('They may contact you').and.contain('marked as not verified');

    const { rows } = await sys.db.query<{ source: string; match_outcome: string; patient_id: string; share_with_gp: boolean; client_id: string | null }>('SELECT * FROM community_referrals WHERE referral_id = $1', [reference]);
    expect(rows[0]).to.include({ source: 'agency', match_outcome: 'matched', patient_id: patientId(1), share_with_gp: true, client_id: null });
    const audit = await sys.db.query<{ actor: string; details: Record<string, unknown> }>("SELECT actor, details FROM audit_events WHERE action = 'community-referral-create' AND resource_ref = $1", [`community-referral/${reference}`]);
    expect(audit.rows[0]).to.deep.include({ actor: 'public:agency-referral' });
    expect(audit.rows[0]!.details).to.include({ source: 'agency', verified: false });

    const task = await deliveredTask(reference!);
    expect(task, 'Task delivered by the outbox').to.not.equal(undefined);
    expect(task.extension?.find((e) => e.url === REFERRAL_SOURCE_EXTENSION)?.valueCode).to.equal('agency');
    expect(task.extension?.find((e) => e.url === REFERRER_VERIFIED_EXTENSION)?.valueBoolean).to.equal(false);
    expect(task.for?.identifier?.value).to.equal(patientNhsNumber(1));
    expect(task.requester?.display).to.equal('Priya Shah, Community pharmacist, Fernbridge <Pharmacy> (FA123) (agency not verified)');
    const role = task.contained?.find((r) => r.resourceType === 'PractitionerRole') as PractitionerRole;
    expect(role.code?.[0]?.text).to.equal('Community pharmacist');
    expect(role.telecom).to.deep.equal([{ system: 'phone', value: '01632 960 500', use: 'work' }]);
    const org = task.contained?.find((r) => r.resourceType === 'Organization') as Organization;
    expect(org.identifier?.[0]?.value).to.equal('FA123');
    // The same profile as a referral API agency's Task.
    const issues = checkResourceAgainst(task, PROFILE.referralTask).issue.filter((i) => i.severity === 'error' || i.severity === 'fatal');
    expect(issues, JSON.stringify(issues)).to.deep.equal([]);

    // Sent twice (a double click): one referral.
    const again = await agencyForm.send(check, {}, { from: `198.51.100.${++ip}` });
    expect(again.text).to.contain(reference!);
    expect(await count()).to.equal(1);

    // The link worker's new referrals say who sent it, and that nobody verified them.
    const sarah = new Browser(sys.url);
    await sarah.signIn('sarah.whitfield');
    const caseload = await sarah.get('/workspace?view=new');
    expect(caseload.text).to.contain(`data-testid="source">${UNVERIFIED_AGENCY_LABEL}<`);
    const casePage = await sarah.get(`/workspace/cases/${task.id}`);
    expect(casePage.text).to.contain(`data-testid="referral-source">${UNVERIFIED_AGENCY_LABEL}<`);
  });

  it('each step says what is wrong, in words about the person, and keeps the answers', async () => {
    const page = await (await fetch(`${sys.url}/refer/agency/about-you`)).text();
    const from = `198.51.100.${++ip}`;
    const me = await post('about-you', { ...hidden(page), ...PHARMACIST['about-you'], referrerOds: 'not an ods code!', referrerPhone: '', website: '' }, from);
    expect(me.status).to.equal(422);
    expect(me.text).to.contain('Enter an ODS code').and.contain('Enter a work phone number or email address').and.contain('value="Priya Shah"');
    const person = await post('person', { ...hidden(me.text), ...PHARMACIST['about-you'], givenName: '', familyName: 'Ellis', dobDay: '', dobMonth: '', dobYear: '', postcode: 'FB1 2AB', nhsNumber: '', website: '' }, from);
    expect(person.status).to.equal(422);
    expect(person.text).to.contain('Enter the person’s first name').and.contain('Enter the person’s date of birth').and.not.contain('Enter your first name');
  });

  it('without the person’s agreement: the form stops and says why; sending anyway is refused; nothing is written', async () => {
    const before = await count();
    const from = `198.51.100.${++ip}`;
    const { consent: _c, support: _s, ...upToConsent } = PHARMACIST;
    let page = await (await fetch(`${sys.url}/refer/agency/about-you`)).text();
    for (const [step, answers] of Object.entries(upToConsent)) page = (await post(step, { ...hidden(page), ...answers, website: '' }, from)).text;
    expect(page).to.contain('Has the person agreed to this referral?');
    const stopped = await post('consent', { ...hidden(page), personAgreed: 'no', consentGp: 'yes', website: '' }, from);
    expect(stopped.status).to.equal(200);
    expect(stopped.text).to.contain('You need the person’s agreement first').and.contain('Why we need it').and.contain('Nothing has been sent or saved');
    // "Change my answer" goes back to the question with the answers kept.
    const back = await post('consent', { ...hidden(stopped.text), goto: 'consent', website: '' }, from);
    expect(back.text).to.contain('Has the person agreed to this referral?').and.contain('value="Margaret"');

    // A program that skips the step and sends anyway.
    const check = await fillIn(PHARMACIST);
    const refused = await agencyForm.send(check, { personAgreed: 'no' }, { from: `198.51.100.${++ip}` });
    expect(refused.status).to.equal(422);
    expect(refused.text).to.contain('You can only refer someone who has agreed to it');
    expect(await count()).to.equal(before);
  });

  it('refuses without writing: the honeypot, a post from another site, a body over the size limit, a missing submission id', async () => {
    const before = await count();
    const check = await fillIn({ ...PHARMACIST, contact: { ...PHARMACIST.contact, phone: '01632 960 445' } });
    const from = `198.51.100.${++ip}`;
    expect((await agencyForm.send(check, { website: 'http://spam.example' }, { from })).status).to.equal(400);
    expect((await agencyForm.send(check, {}, { from, headers: { origin: 'https://evil.example' } })).status).to.equal(400);
    expect((await agencyForm.send(check, { whatMatters: 'x'.repeat(20_000) }, { from })).status).to.equal(413);
    expect((await agencyForm.send(check, { submissionId: 'short' }, { from })).status).to.equal(400);
    expect(await count()).to.equal(before);
  });

  it('limits posts per IP address and referrals per contact detail of the person, and writes nothing over a limit', async () => {
    // Per IP: a whole walk is 8 posts; the next walk from the same address runs out before it is sent.
    const from = '203.0.113.7';
    const first = await fillIn({ ...PHARMACIST, contact: { ...PHARMACIST.contact, phone: '01632 960 446' } }, from);
    const before = await count();
    const statuses: number[] = [];
    for (let i = 0; i < PER_IP; i++) statuses.push((await agencyForm.send(first, {}, { from })).status);
    expect(statuses.slice(-1)).to.deep.equal([429]);
    expect(statuses.filter((s) => s === 200)).to.have.length(PER_IP - Object.keys(PHARMACIST).length);
    expect(await count(), 'the sends under the limit are one referral (sent once)').to.equal(before + 1);
    const limited = await agencyForm.send(first, {}, { from });
    expect(limited.status).to.equal(429);

    // Per contact (perContactPerDay 2): the person's email, however it is written.
    const person = { ...PHARMACIST, person: { ...PHARMACIST.person, givenName: 'Lim', familyName: 'Ited', postcode: 'ZZ2 2ZZ' }, contact: { phone: '', email: 'Limit@Example.org', safeTimes: '', leaveMessage: 'no' } };
    const sent: number[] = [];
    for (let i = 0; i < 3; i++) {
      const check = await fillIn(i === 2 ? { ...person, contact: { ...person.contact, email: 'limit@example.ORG' } } : person);
      const res = await agencyForm.send(check, {}, { from: `198.51.100.${++ip}` });
      sent.push(res.status);
      if (res.status === 429) expect(res.text).to.contain('This person has already been referred today');
    }
    expect(sent).to.deep.equal([200, 200, 429]);
  });
});
