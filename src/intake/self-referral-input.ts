import { z } from 'zod';
import { ACCESSIBILITY_NEEDS, NEEDS, type AccessibilityNeedCode, type ContactMethodCode, type NeedCode } from '../referral-model/codes.js';
import { nhsNumberIsValid, normaliseNhsNumber } from '../fhir/nhs-number.js';
import { fullDate, postcodeKey } from '../identity/normalise.js';
import type { FieldError } from '../errors.js';

/**
 * What a person tells us on the public self-referral form, in its steps. Every message is written for the person
 * reading it next to the field, in plain words. The form posts strings (urlencoded, no JavaScript needed); each
 * step checks its own fields, and the last checks them all again, so nothing unchecked is ever written.
 */

export const STEPS = ['about-you', 'contact', 'help', 'sharing', 'support', 'check'] as const;
export type Step = (typeof STEPS)[number];

/** The fields each step asks for (the names the form posts). */
export const STEP_FIELDS: Record<Exclude<Step, 'check'>, readonly string[]> = {
  'about-you': ['givenName', 'familyName', 'dobDay', 'dobMonth', 'dobYear', 'postcode', 'nhsNumber'],
  contact: ['phone', 'email', 'safeTimes', 'leaveMessage'],
  help: ['needs', 'otherNeed', 'whatMatters'],
  sharing: ['consentService', 'consentGp'],
  support: ['access', 'language', 'accessDetail'],
};
export const ALL_FIELDS: readonly string[] = Object.values(STEP_FIELDS).flat();

/** Longest text any field takes; the whole body is capped too (BODY_LIMITS.publicForm). */
export const MAX = { name: 60, postcode: 10, phone: 20, email: 120, safeTimes: 200, otherNeed: 200, whatMatters: 1500, language: 60, accessDetail: 300 } as const;

/** The answers so far, as posted: strings, and string lists for checkboxes. */
export type Answers = Record<string, string | string[]>;

export interface SelfReferral {
  person: { given: string; family: string; birthDate: string; postcode: string; nhsNumber?: string };
  contact: { phone?: string; email?: string; methods: ContactMethodCode[]; safeTimes?: string; leaveMessage: boolean };
  needs: NeedCode[];
  otherNeed?: string;
  whatMatters?: string;
  consent: { service: true; gp: boolean };
  accessibility: { needs: AccessibilityNeedCode[]; language?: string; detail?: string };
}

const one = (a: Answers, k: string): string => {
  const v = a[k];
  return (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
};
export const many = (a: Answers, k: string): string[] => {
  const v = a[k];
  return (Array.isArray(v) ? v : v ? [v] : []).map((s) => s.trim()).filter(Boolean);
};

export const UK_POSTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$/;
export const PHONE = /^\+?[0-9 ()-]{10,20}$/;
export const EMAIL = z.email();

function text(errors: FieldError[], a: Answers, field: string, max: number, tooLong: string): string | undefined {
  const v = one(a, field);
  if (v.length > max) errors.push({ path: field, message: tooLong });
  return v || undefined;
}

/** Checks the fields of one step (or every step for `check`); returns the errors, in the order of the page. */
export function checkStep(step: Step, a: Answers, today: string): FieldError[] {
  const errors: FieldError[] = [];
  const steps = step === 'check' ? STEPS.filter((s) => s !== 'check') : [step];
  for (const s of steps) STEP_CHECKS[s as Exclude<Step, 'check'>](a, errors, today);
  return errors;
}

const STEP_CHECKS: Record<Exclude<Step, 'check'>, (a: Answers, errors: FieldError[], today: string) => void> = {
  'about-you'(a, errors, today) {
    if (!one(a, 'givenName')) errors.push({ path: 'givenName', message: 'Enter your first name' });
    else text(errors, a, 'givenName', MAX.name, `Your first name must be ${MAX.name} letters or fewer`);
    if (!one(a, 'familyName')) errors.push({ path: 'familyName', message: 'Enter your last name' });
    else text(errors, a, 'familyName', MAX.name, `Your last name must be ${MAX.name} letters or fewer`);
    const dob = birthDate(a);
    if (!one(a, 'dobDay') && !one(a, 'dobMonth') && !one(a, 'dobYear')) errors.push({ path: 'dobDay', message: 'Enter your date of birth' });
    else if (!dob) errors.push({ path: 'dobDay', message: 'Enter a real date of birth, for example 31 3 1980' });
    else if (dob > today) errors.push({ path: 'dobDay', message: 'Your date of birth must be in the past' });
    else if (dob < '1900-01-01') errors.push({ path: 'dobDay', message: 'Check the year you were born' });
    const pc = postcodeKey(one(a, 'postcode'));
    if (!pc) errors.push({ path: 'postcode', message: 'Enter your postcode' });
    else if (one(a, 'postcode').length > MAX.postcode || !UK_POSTCODE.test(pc)) errors.push({ path: 'postcode', message: 'Enter a real postcode, for example LS1 4AP' });
    const nhs = one(a, 'nhsNumber');
    if (nhs && !nhsNumberIsValid(nhs)) errors.push({ path: 'nhsNumber', message: 'Check your NHS number. It has 10 numbers, for example 485 777 3456. You can leave it blank' });
  },
  contact(a, errors) {
    const phone = one(a, 'phone');
    const email = one(a, 'email');
    if (!phone && !email) errors.push({ path: 'phone', message: 'Enter a phone number or an email address so we can contact you' });
    if (phone && !PHONE.test(phone)) errors.push({ path: 'phone', message: 'Enter a phone number, like 01632 960 001 or 07700 900 982' });
    if (email && (email.length > MAX.email || !EMAIL.safeParse(email).success)) errors.push({ path: 'email', message: 'Enter an email address, like name@example.com' });
    text(errors, a, 'safeTimes', MAX.safeTimes, `Safe times must be ${MAX.safeTimes} characters or fewer`);
    const leave = one(a, 'leaveMessage');
    if (leave !== 'yes' && leave !== 'no') errors.push({ path: 'leaveMessage', message: 'Say if we can leave a message' });
  },
  help(a, errors) {
    const needs = many(a, 'needs');
    if (needs.length === 0) errors.push({ path: 'needs', message: 'Choose at least one thing you would like help with' });
    else if (needs.some((n) => !NEEDS.some((x) => x.code === n)) || new Set(needs).size !== needs.length) errors.push({ path: 'needs', message: 'Choose from the list' });
    const other = text(errors, a, 'otherNeed', MAX.otherNeed, `This must be ${MAX.otherNeed} characters or fewer`);
    if (needs.includes('other') && !other) errors.push({ path: 'otherNeed', message: 'Tell us what else you would like help with' });
    text(errors, a, 'whatMatters', MAX.whatMatters, `This must be ${MAX.whatMatters} characters or fewer`);
  },
  sharing(a, errors) {
    if (one(a, 'consentService') !== 'yes') errors.push({ path: 'consentService', message: 'We can only help if you agree that the link worker service can see what you tell us' });
    const gp = one(a, 'consentGp');
    if (gp !== 'yes' && gp !== 'no') errors.push({ path: 'consentGp', message: 'Say if we can tell your GP' });
  },
  support(a, errors) {
    const access = many(a, 'access');
    if (access.some((n) => !ACCESSIBILITY_NEEDS.some((x) => x.code === n))) errors.push({ path: 'access', message: 'Choose from the list' });
    const lang = text(errors, a, 'language', MAX.language, `The language must be ${MAX.language} characters or fewer`);
    if (access.includes('interpreter') && !lang) errors.push({ path: 'language', message: 'Tell us which language you need an interpreter for' });
    const detail = text(errors, a, 'accessDetail', MAX.accessDetail, `This must be ${MAX.accessDetail} characters or fewer`);
    if (access.includes('other') && !detail) errors.push({ path: 'accessDetail', message: 'Tell us what would help' });
  },
};

function birthDate(a: Answers): string | undefined {
  const [d, m, y] = ['dobDay', 'dobMonth', 'dobYear'].map((k) => one(a, k));
  if (!/^\d{1,2}$/.test(d!) || !/^\d{1,2}$/.test(m!) || !/^\d{4}$/.test(y!)) return undefined;
  return fullDate(`${y}-${m!.padStart(2, '0')}-${d!.padStart(2, '0')}`);
}

/** The checked answers as a self-referral; undefined while any step has errors. */
export function toSelfReferral(a: Answers, today: string): SelfReferral | undefined {
  if (checkStep('check', a, today).length) return undefined;
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
    consent: { service: true, gp: one(a, 'consentGp') === 'yes' },
    accessibility: {
      needs: many(a, 'access') as AccessibilityNeedCode[],
      ...(language && many(a, 'access').includes('interpreter') ? { language } : {}),
      ...(detail ? { detail } : {}),
    },
  };
}

/** `fb12ab` → `FB1 2AB`. */
export function formatPostcode(p: string): string {
  const k = postcodeKey(p) ?? '';
  return k.length > 3 ? `${k.slice(0, -3)} ${k.slice(-3)}` : k;
}

/** The normalised contact details a per-contact limit counts (lower-case email, phone digits). */
export function contactKeys(a: Answers): string[] {
  const keys: string[] = [];
  const email = one(a, 'email').toLowerCase();
  const phone = one(a, 'phone').replace(/\D/g, '').replace(/^44/, '0');
  if (email) keys.push(`email:${email}`);
  if (phone) keys.push(`phone:${phone}`);
  return keys;
}
