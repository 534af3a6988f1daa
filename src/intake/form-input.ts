import { z } from 'zod';
import { ACCESSIBILITY_NEEDS, NEEDS, type AccessibilityNeedCode, type ContactMethodCode, type NeedCode } from '../referral-model/codes.js';
import { nhsNumberIsValid, normaliseNhsNumber } from '../fhir/nhs-number.js';
import { fullDate, postcodeKey } from '../identity/normalise.js';
import type { FieldError } from '../errors.js';
import type { SelfReferral } from './self-referral-input.js';

/**
 * What the referral forms share (the self-referral form and the agency form): the step engine, the checks of the
 * fields that describe the person, and the answers turned into a referral. The forms post strings (urlencoded, no
 * JavaScript needed); each step checks its own fields, and sending checks them all again, so nothing unchecked is
 * ever written. Messages come in the form's voice: "your" for the person, "the person's" for a professional. Pure.
 */

/** The answers so far, as posted: strings, and string lists for checkboxes. */
export type Answers = Record<string, string | string[]>;

/** Longest text any field takes; the whole body is capped too (BODY_LIMITS.publicForm). */
export const MAX = { name: 60, postcode: 10, phone: 20, email: 120, safeTimes: 200, otherNeed: 200, whatMatters: 1500, language: 60, accessDetail: 300, role: 80, organisation: 120 } as const;

export const UK_POSTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$/;
export const PHONE = /^\+?[0-9 ()-]{10,20}$/;
export const EMAIL = z.email();

export const one = (a: Answers, k: string): string => {
  const v = a[k];
  return (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
};
export const many = (a: Answers, k: string): string[] => {
  const v = a[k];
  return (Array.isArray(v) ? v : v ? [v] : []).map((s) => s.trim()).filter(Boolean);
};

export function text(errors: FieldError[], a: Answers, field: string, max: number, tooLong: string): string | undefined {
  const v = one(a, field);
  if (v.length > max) errors.push({ path: field, message: tooLong });
  return v || undefined;
}

/** A phone number or email address, when given, in the shape the link worker can use. */
export function checkPhoneAndEmail(errors: FieldError[], a: Answers, phoneField: string, emailField: string): void {
  const phone = one(a, phoneField);
  const email = one(a, emailField);
  if (phone && !PHONE.test(phone)) errors.push({ path: phoneField, message: 'Enter a phone number, like 01632 960 001 or 07700 900 982' });
  if (email && (email.length > MAX.email || !EMAIL.safeParse(email).success)) errors.push({ path: emailField, message: 'Enter an email address, like name@example.com' });
}

/** The messages that name the person: "your" on the self-referral form, "the person's" on the agency form. */
export interface Voice {
  givenName: string;
  givenNameLong: string;
  familyName: string;
  familyNameLong: string;
  birthDate: string;
  birthDateFuture: string;
  birthYear: string;
  postcode: string;
  nhsNumber: string;
  contact: string;
  leaveMessage: string;
  needs: string;
  otherNeed: string;
  language: string;
  accessDetail: string;
}

export const SELF_VOICE: Voice = {
  givenName: 'Enter your first name',
  givenNameLong: `Your first name must be ${MAX.name} letters or fewer`,
  familyName: 'Enter your last name',
  familyNameLong: `Your last name must be ${MAX.name} letters or fewer`,
  birthDate: 'Enter your date of birth',
  birthDateFuture: 'Your date of birth must be in the past',
  birthYear: 'Check the year you were born',
  postcode: 'Enter your postcode',
  nhsNumber: 'Check your NHS number. It has 10 numbers, for example 485 777 3456. You can leave it blank',
  contact: 'Enter a phone number or an email address so we can contact you',
  leaveMessage: 'Say if we can leave a message',
  needs: 'Choose at least one thing you would like help with',
  otherNeed: 'Tell us what else you would like help with',
  language: 'Tell us which language you need an interpreter for',
  accessDetail: 'Tell us what would help',
};

export const AGENCY_VOICE: Voice = {
  givenName: 'Enter the person’s first name',
  givenNameLong: `The person’s first name must be ${MAX.name} characters or fewer`,
  familyName: 'Enter the person’s last name',
  familyNameLong: `The person’s last name must be ${MAX.name} characters or fewer`,
  birthDate: 'Enter the person’s date of birth',
  birthDateFuture: 'The person’s date of birth must be in the past',
  birthYear: 'Check the year the person was born',
  postcode: 'Enter the person’s postcode',
  nhsNumber: 'Check the person’s NHS number. It has 10 digits, for example 485 777 3456. Leave it blank if you do not know it',
  contact: 'Enter a phone number or an email address for the person, so the link worker can contact them',
  leaveMessage: 'Say if the link worker can leave a message for the person',
  needs: 'Choose at least one thing the person would like help with',
  otherNeed: 'Say what else the person would like help with',
  language: 'Say which language the person needs an interpreter for',
  accessDetail: 'Say what would help the person',
};

export type StepCheck = (a: Answers, errors: FieldError[], today: string) => void;

/** The checks of the fields about the person, shared by every form, each in the form's voice. */
export function personChecks(v: Voice): { person: StepCheck; contact: StepCheck; help: StepCheck; support: StepCheck } {
  return {
    person(a, errors, today) {
      if (!one(a, 'givenName')) errors.push({ path: 'givenName', message: v.givenName });
      else text(errors, a, 'givenName', MAX.name, v.givenNameLong);
      if (!one(a, 'familyName')) errors.push({ path: 'familyName', message: v.familyName });
      else text(errors, a, 'familyName', MAX.name, v.familyNameLong);
      const dob = birthDate(a);
      if (!one(a, 'dobDay') && !one(a, 'dobMonth') && !one(a, 'dobYear')) errors.push({ path: 'dobDay', message: v.birthDate });
      else if (!dob) errors.push({ path: 'dobDay', message: 'Enter a real date of birth, for example 31 3 1980' });
      else if (dob > today) errors.push({ path: 'dobDay', message: v.birthDateFuture });
      else if (dob < '1900-01-01') errors.push({ path: 'dobDay', message: v.birthYear });
      const pc = postcodeKey(one(a, 'postcode'));
      if (!pc) errors.push({ path: 'postcode', message: v.postcode });
      else if (one(a, 'postcode').length > MAX.postcode || !UK_POSTCODE.test(pc)) errors.push({ path: 'postcode', message: 'Enter a real postcode, for example LS1 4AP' });
      const nhs = one(a, 'nhsNumber');
      if (nhs && !nhsNumberIsValid(nhs)) errors.push({ path: 'nhsNumber', message: v.nhsNumber });
    },
    contact(a, errors) {
      if (!one(a, 'phone') && !one(a, 'email')) errors.push({ path: 'phone', message: v.contact });
      checkPhoneAndEmail(errors, a, 'phone', 'email');
      text(errors, a, 'safeTimes', MAX.safeTimes, `Safe times must be ${MAX.safeTimes} characters or fewer`);
      const leave = one(a, 'leaveMessage');
      if (leave !== 'yes' && leave !== 'no') errors.push({ path: 'leaveMessage', message: v.leaveMessage });
    },
    help(a, errors) {
      const needs = many(a, 'needs');
      if (needs.length === 0) errors.push({ path: 'needs', message: v.needs });
      else if (needs.some((n) => !NEEDS.some((x) => x.code === n)) || new Set(needs).size !== needs.length) errors.push({ path: 'needs', message: 'Choose from the list' });
      const other = text(errors, a, 'otherNeed', MAX.otherNeed, `This must be ${MAX.otherNeed} characters or fewer`);
      if (needs.includes('other') && !other) errors.push({ path: 'otherNeed', message: v.otherNeed });
      text(errors, a, 'whatMatters', MAX.whatMatters, `This must be ${MAX.whatMatters} characters or fewer`);
    },
    support(a, errors) {
      const access = many(a, 'access');
      if (access.some((n) => !ACCESSIBILITY_NEEDS.some((x) => x.code === n))) errors.push({ path: 'access', message: 'Choose from the list' });
      const lang = text(errors, a, 'language', MAX.language, `The language must be ${MAX.language} characters or fewer`);
      if (access.includes('interpreter') && !lang) errors.push({ path: 'language', message: v.language });
      const detail = text(errors, a, 'accessDetail', MAX.accessDetail, `This must be ${MAX.accessDetail} characters or fewer`);
      if (access.includes('other') && !detail) errors.push({ path: 'accessDetail', message: v.accessDetail });
    },
  };
}

/** The fields about the person, by the step that asks for them (the same names on every form). */
export const PERSON_FIELDS = {
  person: ['givenName', 'familyName', 'dobDay', 'dobMonth', 'dobYear', 'postcode', 'nhsNumber'],
  contact: ['phone', 'email', 'safeTimes', 'leaveMessage'],
  help: ['needs', 'otherNeed', 'whatMatters'],
  support: ['access', 'language', 'accessDetail'],
} as const;

/** A form's steps (in order; "check" follows them), the fields each asks for, and each step's checks. */
export interface FormSteps<S extends string> {
  steps: readonly S[];
  fields: Record<S, readonly string[]>;
  checks: Record<S, StepCheck>;
}

export const CHECK = 'check';

/** Checks one step (or every step for `check`); the errors, in the order of the page. */
export function checkFormStep<S extends string>(form: FormSteps<S>, step: S | typeof CHECK, a: Answers, today: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const s of step === CHECK ? form.steps : [step as S]) form.checks[s](a, errors, today);
  return errors;
}

export const allFields = <S extends string>(form: FormSteps<S>): string[] => form.steps.flatMap((s) => form.fields[s]);

function birthDate(a: Answers): string | undefined {
  const [d, m, y] = ['dobDay', 'dobMonth', 'dobYear'].map((k) => one(a, k));
  if (!/^\d{1,2}$/.test(d!) || !/^\d{1,2}$/.test(m!) || !/^\d{4}$/.test(y!)) return undefined;
  return fullDate(`${y}-${m!.padStart(2, '0')}-${d!.padStart(2, '0')}`);
}

/** `fb12ab` → `FB1 2AB`. */
export function formatPostcode(p: string): string {
  const k = postcodeKey(p) ?? '';
  return k.length > 3 ? `${k.slice(0, -3)} ${k.slice(-3)}` : k;
}

/** The checked answers about the person, in the terms of a referral (consent is each form's own). */
export function personAnswers(a: Answers): Omit<SelfReferral, 'consent'> {
  const phone = one(a, 'phone') || undefined;
  const email = one(a, 'email') || undefined;
  const nhs = one(a, 'nhsNumber');
  const methods: ContactMethodCode[] = [...(phone ? (['phone'] as const) : []), ...(email ? (['email'] as const) : [])];
  const language = one(a, 'language') || undefined;
  const detail = one(a, 'accessDetail') || undefined;
  return {
    person: {
      given: one(a, 'givenName'),
      family: one(a, 'familyName'),
      birthDate: birthDate(a)!,
      postcode: formatPostcode(one(a, 'postcode')),
      ...(nhs ? { nhsNumber: normaliseNhsNumber(nhs) } : {}),
    },
    contact: { ...(phone ? { phone } : {}), ...(email ? { email } : {}), methods, ...(one(a, 'safeTimes') ? { safeTimes: one(a, 'safeTimes') } : {}), leaveMessage: one(a, 'leaveMessage') === 'yes' },
    needs: many(a, 'needs') as NeedCode[],
    ...(one(a, 'otherNeed') && many(a, 'needs').includes('other') ? { otherNeed: one(a, 'otherNeed') } : {}),
    ...(one(a, 'whatMatters') ? { whatMatters: one(a, 'whatMatters') } : {}),
    accessibility: {
      needs: many(a, 'access') as AccessibilityNeedCode[],
      ...(language && many(a, 'access').includes('interpreter') ? { language } : {}),
      ...(detail ? { detail } : {}),
    },
  };
}

/** The normalised contact details of the person a per-contact limit counts (lower-case email, phone digits). */
export function contactKeys(a: Answers): string[] {
  const keys: string[] = [];
  const email = one(a, 'email').toLowerCase();
  const phone = one(a, 'phone').replace(/\D/g, '').replace(/^44/, '0');
  if (email) keys.push(`email:${email}`);
  if (phone) keys.push(`phone:${phone}`);
  return keys;
}
