import { expect } from 'chai';
import { checkAgencyStep, toAgencyReferral, type AgencyStep } from '../../../src/intake/agency-referral-input.js';
import { buildCommunityTask } from '../../../src/intake/build-task.js';
import { checkStep } from '../../../src/intake/self-referral-input.js';
import type { Answers } from '../../../src/intake/form-input.js';
import { REFERRER_VERIFIED_EXTENSION, referralSourceLabelOf, UNVERIFIED_AGENCY_LABEL } from '../../../src/referral-model/referral-source.js';

const TODAY = '2026-12-01';
const FULL: Answers = {
  referrerName: ' Priya Shah ', referrerRole: 'Community pharmacist', referrerOrganisation: 'Fernbridge Pharmacy', referrerOds: 'fa 123', referrerPhone: '01632 960 500', referrerEmail: '',
  givenName: 'Margaret', familyName: 'Ellis', dobDay: '14', dobMonth: '3', dobYear: '1941', postcode: 'fb1 2ab', nhsNumber: '',
  phone: '', email: 'margaret@example.org', safeTimes: 'After 10am', leaveMessage: 'yes',
  needs: ['loneliness'], otherNeed: '', whatMatters: '',
  urgency: 'routine', safeguarding: 'no', safeguardingDetail: '',
  personAgreed: 'yes', consentGp: 'no',
  access: [], language: '', accessDetail: '',
};
const paths = (step: AgencyStep | 'check', a: Answers) => checkAgencyStep(step, a, TODAY).map((e) => e.path);
const messages = (step: AgencyStep | 'check', a: Answers) => checkAgencyStep(step, a, TODAY).map((e) => e.message);

describe('intake: the agency form’s answers', () => {
  it('a complete set of answers becomes an unverified agency referral, trimmed, with the ODS code normalised', () => {
    expect(toAgencyReferral(FULL, TODAY)).to.deep.equal({
      person: { given: 'Margaret', family: 'Ellis', birthDate: '1941-03-14', postcode: 'FB1 2AB' },
      contact: { email: 'margaret@example.org', methods: ['email'], safeTimes: 'After 10am', leaveMessage: true },
      needs: ['loneliness'],
      urgency: 'routine',
      safeguarding: { concern: false },
      consent: { service: true, gp: false },
      accessibility: { needs: [] },
      referrer: { name: 'Priya Shah', role: 'Community pharmacist', organisation: { name: 'Fernbridge Pharmacy', odsCode: 'FA123' }, phone: '01632 960 500' },
      verified: false,
    });
    expect(toAgencyReferral({ ...FULL, referrerOds: '' }, TODAY)!.referrer.organisation).to.deep.equal({ name: 'Fernbridge Pharmacy' });
  });

  it('about you: name, role, organisation, an ODS code only in its format, and a work phone or email', () => {
    expect(paths('about-you', { ...FULL, referrerName: '', referrerRole: '', referrerOrganisation: '' })).to.deep.equal(['referrerName', 'referrerRole', 'referrerOrganisation']);
    expect(paths('about-you', { ...FULL, referrerOds: 'FA-123' })).to.deep.equal(['referrerOds']);
    expect(paths('about-you', { ...FULL, referrerOds: 'AB' })).to.deep.equal(['referrerOds']);
    expect(paths('about-you', { ...FULL, referrerOds: 'rx1' })).to.deep.equal([]);
    expect(paths('about-you', { ...FULL, referrerPhone: '', referrerEmail: '' })).to.deep.equal(['referrerPhone']);
    expect(paths('about-you', { ...FULL, referrerPhone: 'call me', referrerEmail: 'nope' })).to.deep.equal(['referrerPhone', 'referrerEmail']);
    expect(paths('about-you', { ...FULL, referrerRole: 'x'.repeat(81) })).to.deep.equal(['referrerRole']);
  });

  it('the person: the self-referral form’s checks, in words about the person', () => {
    const blank = { ...FULL, givenName: '', dobDay: '', dobMonth: '', dobYear: '', postcode: '', phone: '', email: '' };
    expect(paths('person', blank)).to.deep.equal(checkStep('about-you', blank, TODAY).map((e) => e.path));
    expect(messages('person', blank)).to.deep.equal(['Enter the person’s first name', 'Enter the person’s date of birth', 'Enter the person’s postcode']);
    expect(messages('contact', blank)).to.deep.equal(['Enter a phone number or an email address for the person, so the link worker can contact them']);
    expect(messages('help', { ...FULL, needs: [] })).to.deep.equal(['Choose at least one thing the person would like help with']);
    expect(paths('help', { ...FULL, needs: ['made-up'] })).to.deep.equal(['needs']);
    expect(paths('support', { ...FULL, access: ['interpreter'] })).to.deep.equal(['language']);
  });

  it('urgency and safeguarding: the GP form’s urgency codes; a concern needs its description, and travels with it', () => {
    expect(paths('urgency', { ...FULL, urgency: '', safeguarding: '' })).to.deep.equal(['urgency', 'safeguarding']);
    expect(paths('urgency', { ...FULL, urgency: 'whenever' })).to.deep.equal(['urgency']);
    expect(messages('urgency', { ...FULL, safeguarding: 'yes' })).to.deep.equal(['Describe the safeguarding concern']);
    expect(paths('urgency', { ...FULL, safeguarding: 'yes', safeguardingDetail: 'x'.repeat(1001) })).to.deep.equal(['safeguardingDetail']);
    const concern = toAgencyReferral({ ...FULL, urgency: 'soon', safeguarding: 'yes', safeguardingDetail: ' Bruising ' }, TODAY)!;
    expect(concern).to.deep.include({ urgency: 'soon', safeguarding: { concern: true, detail: 'Bruising' } });
    expect(toAgencyReferral({ ...FULL, safeguardingDetail: 'ignored without a yes' }, TODAY)!.safeguarding).to.deep.equal({ concern: false });
  });

  it('consent: without the person’s agreement there is no referral; the GP question must be answered', () => {
    expect(messages('consent', { ...FULL, personAgreed: 'no' })).to.deep.equal(['You can only refer someone who has agreed to it. Ask them first']);
    expect(paths('consent', { ...FULL, personAgreed: '' })).to.deep.equal(['personAgreed']);
    expect(paths('consent', { ...FULL, consentGp: 'maybe' })).to.deep.equal(['consentGp']);
    expect(paths('check', { ...FULL, personAgreed: 'no' })).to.deep.equal(['personAgreed']);
    expect(toAgencyReferral({ ...FULL, personAgreed: 'no' }, TODAY)).to.equal(undefined);
  });

  it('the Task says an agency sent it and whether SP Link knows who: the one label shows "Agency (unverified)" otherwise', () => {
    const ctx = { referralId: 'SPL-AAAA-BBBB', identifierSystem: 'https://fhir.sp-link.example.org/Id/referral', now: new Date('2026-12-01T10:00:00Z'), owner: { reference: 'Organization/lw', display: 'Link workers' } };
    const form = buildCommunityTask(toAgencyReferral(FULL, TODAY)!, ctx);
    expect(form.extension?.find((e) => e.url === REFERRER_VERIFIED_EXTENSION)?.valueBoolean).to.equal(false);
    expect(referralSourceLabelOf(form)).to.equal(UNVERIFIED_AGENCY_LABEL);
    const known = buildCommunityTask(toAgencyReferral(FULL, TODAY, true)!, ctx);
    expect(referralSourceLabelOf(known)).to.equal('Agency');
    // An agency Task that does not say is not taken as verified.
    expect(referralSourceLabelOf({ extension: known.extension!.filter((e) => e.url !== REFERRER_VERIFIED_EXTENSION) })).to.equal(UNVERIFIED_AGENCY_LABEL);
    expect(referralSourceLabelOf({})).to.equal('GP');
  });
});
