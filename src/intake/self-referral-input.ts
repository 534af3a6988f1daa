import type { AccessibilityNeedCode, ContactMethodCode, NeedCode } from '../referral-model/codes.js';
import type { FieldError } from '../errors.js';
import { checkFormStep, one, personAnswers, personChecks, PERSON_FIELDS, SELF_VOICE, type Answers, type FormSteps, type StepCheck } from './form-input.js';

/**
 * What a person tells us on the public self-referral form, in its steps. Every message is written for the person
 * reading it next to the field, in plain words. The fields about the person and their checks are those of every
 * referral form (form-input.ts); the sharing step is this form's own. Pure.
 */

export const STEPS = ['about-you', 'contact', 'help', 'sharing', 'support', 'check'] as const;
export type Step = (typeof STEPS)[number];
type AskStep = Exclude<Step, 'check'>;

/** The fields each step asks for (the names the form posts). */
export const STEP_FIELDS: Record<AskStep, readonly string[]> = {
  'about-you': PERSON_FIELDS.person,
  contact: PERSON_FIELDS.contact,
  help: PERSON_FIELDS.help,
  sharing: ['consentService', 'consentGp'],
  support: PERSON_FIELDS.support,
};

export interface SelfReferral {
  person: { given: string; family: string; birthDate: string; postcode: string; nhsNumber?: string };
  contact: { phone?: string; email?: string; methods: ContactMethodCode[]; safeTimes?: string; leaveMessage: boolean };
  needs: NeedCode[];
  otherNeed?: string;
  whatMatters?: string;
  consent: { service: true; gp: boolean };
  accessibility: { needs: AccessibilityNeedCode[]; language?: string; detail?: string };
}

const person = personChecks(SELF_VOICE);
const sharing: StepCheck = (a, errors) => {
  if (one(a, 'consentService') !== 'yes') errors.push({ path: 'consentService', message: 'We can only help if you agree that the link worker service can see what you tell us' });
  const gp = one(a, 'consentGp');
  if (gp !== 'yes' && gp !== 'no') errors.push({ path: 'consentGp', message: 'Say if we can tell your GP' });
};

export const SELF_REFERRAL_FORM: FormSteps<AskStep> = {
  steps: STEPS.filter((s): s is AskStep => s !== 'check'),
  fields: STEP_FIELDS,
  checks: { 'about-you': person.person, contact: person.contact, help: person.help, sharing, support: person.support },
};

/** Checks the fields of one step (or every step for `check`); returns the errors, in the order of the page. */
export function checkStep(step: Step, a: Answers, today: string): FieldError[] {
  return checkFormStep(SELF_REFERRAL_FORM, step, a, today);
}

/** The checked answers as a self-referral; undefined while any step has errors. */
export function toSelfReferral(a: Answers, today: string): SelfReferral | undefined {
  if (checkStep('check', a, today).length) return undefined;
  return { ...personAnswers(a), consent: { service: true, gp: one(a, 'consentGp') === 'yes' } };
}
