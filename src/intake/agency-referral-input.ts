import type { FieldError } from '../errors.js';
import { URGENCIES, type UrgencyCode } from '../referral-model/codes.js';
import type { AgencyReferral } from './agency-referral.js';
import { AGENCY_VOICE, checkFormStep, checkPhoneAndEmail, MAX, one, personAnswers, personChecks, PERSON_FIELDS, text, type Answers, type FormSteps, type StepCheck } from './form-input.js';

/**
 * What a professional tells us on the public agency form (pharmacy, social care, housing, police, the voluntary
 * sector): about themselves, then about the person they refer (the fields and checks of every referral form, in
 * professional words), and whether the person agreed. Without the person's agreement nothing is sent. Pure.
 */

export const AGENCY_STEPS = ['about-you', 'person', 'contact', 'help', 'urgency', 'consent', 'support'] as const;
export type AgencyStep = (typeof AGENCY_STEPS)[number];

/** ODS organisation and site codes: 3 to 10 capital letters and digits (e.g. FA123 a pharmacy, RX1 a trust). */
export const ODS_CODE = /^[A-Z0-9]{3,10}$/;
export const odsKey = (v: string) => v.replace(/\s+/g, '').toUpperCase();

export const AGENCY_FIELDS: Record<AgencyStep, readonly string[]> = {
  'about-you': ['referrerName', 'referrerRole', 'referrerOrganisation', 'referrerOds', 'referrerPhone', 'referrerEmail'],
  person: PERSON_FIELDS.person,
  contact: PERSON_FIELDS.contact,
  help: PERSON_FIELDS.help,
  urgency: ['urgency', 'safeguarding', 'safeguardingDetail'],
  consent: ['personAgreed', 'consentGp'],
  support: PERSON_FIELDS.support,
};

/** The answer that stops the form: the person did not agree (or was not asked). */
export const NOT_AGREED = 'no';

const referrer: StepCheck = (a, errors) => {
  if (!one(a, 'referrerName')) errors.push({ path: 'referrerName', message: 'Enter your name' });
  else text(errors, a, 'referrerName', MAX.name * 2, `Your name must be ${MAX.name * 2} characters or fewer`);
  if (!one(a, 'referrerRole')) errors.push({ path: 'referrerRole', message: 'Enter your job title or role, for example community pharmacist' });
  else text(errors, a, 'referrerRole', MAX.role, `Your role must be ${MAX.role} characters or fewer`);
  if (!one(a, 'referrerOrganisation')) errors.push({ path: 'referrerOrganisation', message: 'Enter the name of your organisation' });
  else text(errors, a, 'referrerOrganisation', MAX.organisation, `The organisation name must be ${MAX.organisation} characters or fewer`);
  const ods = one(a, 'referrerOds');
  if (ods && !ODS_CODE.test(odsKey(ods))) errors.push({ path: 'referrerOds', message: 'Enter an ODS code of 3 to 10 letters and numbers, like FA123, or leave it blank' });
  if (!one(a, 'referrerPhone') && !one(a, 'referrerEmail')) errors.push({ path: 'referrerPhone', message: 'Enter a work phone number or email address, so the link worker can contact you' });
  checkPhoneAndEmail(errors, a, 'referrerPhone', 'referrerEmail');
};

/** The most a safeguarding concern's description may be (as the referral API). */
const SAFEGUARDING_DETAIL_MAX = 1000;

/** How soon, and whether there is a safeguarding concern: the GP form's and the API's codes. */
const urgency: StepCheck = (a, errors) => {
  if (!URGENCIES.some((u) => u.code === one(a, 'urgency'))) errors.push({ path: 'urgency', message: 'Choose how soon the link worker should make contact' });
  const concern = one(a, 'safeguarding');
  if (concern !== 'yes' && concern !== 'no') errors.push({ path: 'safeguarding', message: 'Say if there is a safeguarding concern' });
  else if (concern === 'yes' && !one(a, 'safeguardingDetail')) errors.push({ path: 'safeguardingDetail', message: 'Describe the safeguarding concern' });
  else if (concern === 'yes') text(errors, a, 'safeguardingDetail', SAFEGUARDING_DETAIL_MAX, `The description must be ${SAFEGUARDING_DETAIL_MAX} characters or fewer`);
};

const consent: StepCheck = (a, errors) => {
  const agreed = one(a, 'personAgreed');
  if (agreed === NOT_AGREED) errors.push({ path: 'personAgreed', message: 'You can only refer someone who has agreed to it. Ask them first' });
  else if (agreed !== 'yes') errors.push({ path: 'personAgreed', message: 'Say if the person agreed to this referral' });
  const gp = one(a, 'consentGp');
  if (gp !== 'yes' && gp !== 'no') errors.push({ path: 'consentGp', message: 'Say if the person agreed that their GP is told' });
};

const person = personChecks(AGENCY_VOICE);

export const AGENCY_REFERRAL_FORM: FormSteps<AgencyStep> = {
  steps: AGENCY_STEPS,
  fields: AGENCY_FIELDS,
  checks: { 'about-you': referrer, person: person.person, contact: person.contact, help: person.help, urgency, consent, support: person.support },
};

export function checkAgencyStep(step: AgencyStep | 'check', a: Answers, today: string): FieldError[] {
  return checkFormStep(AGENCY_REFERRAL_FORM, step, a, today);
}

/**
 * The checked answers as an agency referral; undefined while any step has errors (the person's agreement among them).
 * `verified`: whether SP Link knows who the referrer is; the anonymous form's answers are taken on trust.
 */
export function toAgencyReferral(a: Answers, today: string, verified = false): AgencyReferral | undefined {
  if (checkAgencyStep('check', a, today).length) return undefined;
  const ods = odsKey(one(a, 'referrerOds'));
  const phone = one(a, 'referrerPhone');
  const email = one(a, 'referrerEmail');
  const concern = one(a, 'safeguarding') === 'yes';
  return {
    ...personAnswers(a),
    urgency: one(a, 'urgency') as UrgencyCode,
    safeguarding: concern ? { concern, detail: one(a, 'safeguardingDetail') } : { concern },
    consent: { service: true, gp: one(a, 'consentGp') === 'yes' },
    referrer: {
      name: one(a, 'referrerName'),
      role: one(a, 'referrerRole'),
      organisation: { name: one(a, 'referrerOrganisation'), ...(ods ? { odsCode: ods } : {}) },
      ...(phone ? { phone } : {}),
      ...(email ? { email } : {}),
    },
    verified,
  };
}
