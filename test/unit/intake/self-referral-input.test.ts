import { expect } from 'chai';
import { checkStep, toSelfReferral } from '../../../src/intake/self-referral-input.js';
import { contactKeys, type Answers } from '../../../src/intake/form-input.js';

const TODAY = '2026-12-01';
const FULL: Answers = {
  givenName: ' Zoë ', familyName: "O'Brien", dobDay: '7', dobMonth: '3', dobYear: '1980', postcode: 'fb1 2ab', nhsNumber: '999 001 0013',
  phone: '07700 900982', email: '', safeTimes: '', leaveMessage: 'no',
  needs: ['loneliness', 'other'], otherNeed: 'Getting out', whatMatters: '',
  consentService: 'yes', consentGp: 'no',
  access: ['interpreter'], language: 'Polish', accessDetail: '',
};
const paths = (step: Parameters<typeof checkStep>[0], a: Answers) => checkStep(step, a, TODAY).map((e) => e.path);

describe('intake: the self-referral answers', () => {
  it('a complete set of answers becomes a self-referral, trimmed and normalised', () => {
    expect(toSelfReferral(FULL, TODAY)).to.deep.equal({
      person: { given: 'Zoë', family: "O'Brien", birthDate: '1980-03-07', postcode: 'FB1 2AB', nhsNumber: '9990010013' },
      contact: { phone: '07700 900982', methods: ['phone'], leaveMessage: false },
      needs: ['loneliness', 'other'],
      otherNeed: 'Getting out',
      consent: { service: true, gp: false },
      accessibility: { needs: ['interpreter'], language: 'Polish' },
    });
  });

  it('about you: names, a real past date of birth, a UK postcode, an NHS number only when it is valid', () => {
    expect(paths('about-you', { ...FULL, givenName: '', familyName: 'x'.repeat(61) })).to.deep.equal(['givenName', 'familyName']);
    expect(paths('about-you', { ...FULL, dobDay: '30', dobMonth: '2' })).to.deep.equal(['dobDay']);
    expect(paths('about-you', { ...FULL, dobYear: '2027' })).to.deep.equal(['dobDay']);
    expect(paths('about-you', { ...FULL, postcode: '12345' })).to.deep.equal(['postcode']);
    expect(paths('about-you', { ...FULL, nhsNumber: '1234567890' })).to.deep.equal(['nhsNumber']);
    expect(paths('about-you', { ...FULL, nhsNumber: '' })).to.deep.equal([]);
  });

  it('contact: at least one way, each well formed, and whether to leave a message', () => {
    expect(paths('contact', { ...FULL, phone: '', email: '' })).to.deep.equal(['phone']);
    expect(paths('contact', { ...FULL, phone: 'call me', email: 'not-an-email' })).to.deep.equal(['phone', 'email']);
    expect(paths('contact', { ...FULL, leaveMessage: '' })).to.deep.equal(['leaveMessage']);
  });

  it('help, sharing and support: coded choices only, details when "something else", agreement to the service', () => {
    expect(paths('help', { ...FULL, needs: [] })).to.deep.equal(['needs']);
    expect(paths('help', { ...FULL, needs: ['made-up'] })).to.deep.equal(['needs']);
    expect(paths('help', { ...FULL, otherNeed: '' })).to.deep.equal(['otherNeed']);
    expect(paths('sharing', { ...FULL, consentService: 'no' })).to.deep.equal(['consentService']);
    expect(paths('sharing', { ...FULL, consentGp: '' })).to.deep.equal(['consentGp']);
    expect(paths('support', { ...FULL, language: '' })).to.deep.equal(['language']);
    expect(paths('support', { ...FULL, access: ['x'] })).to.deep.equal(['access']);
    expect(toSelfReferral({ ...FULL, consentService: 'no' }, TODAY)).to.equal(undefined);
  });

  it('contact keys for the per-contact limit ignore case, spaces and the +44 prefix', () => {
    expect(contactKeys({ email: 'Name@Example.ORG', phone: '+44 7700 900982' })).to.deep.equal(['email:name@example.org', 'phone:07700900982']);
    expect(contactKeys({ phone: '07700 900 982' })).to.deep.equal(['phone:07700900982']);
  });
});
