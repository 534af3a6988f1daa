import type { CodeableConcept, ContactPoint, Extension, OperationOutcomeIssue, Patient, Practitioner, PractitionerRole, Resource, ServiceRequest } from '@medplum/fhirtypes';
import { nhsNumberIsValid, normaliseNhsNumber } from '../fhir/nhs-number.js';
import { checkResourceAgainst } from '../fhir/validate/index.js';
import { issue } from '../fhir/validate/issues.js';
import { fullDate, postcodeKey } from '../identity/normalise.js';
import {
  ACCESSIBILITY_NEEDS,
  CODE_SYSTEM,
  CONTACT_METHODS,
  EXTENSION,
  EXTENSION_PART,
  IDENTIFIER_SYSTEM,
  NEEDS,
  PROFILE,
  URGENCIES,
  type AccessibilityNeedCode,
  type ContactMethodCode,
  type NeedCode,
  type UrgencyCode,
} from '../referral-model/codes.js';
import type { AgencyReferral } from '../intake/agency-referral.js';
import { EMAIL, formatPostcode, MAX, PHONE, UK_POSTCODE } from '../intake/form-input.js';

/**
 * An agency system's referral (SPLinkAgencyReferral: a ServiceRequest with the person in a contained Patient and the
 * professional in a contained PractitionerRole) read into an AgencyReferral, or every problem with it as
 * OperationOutcome issues, each naming the field (`expression`) so the agency's developer can fix their mapping.
 * First the profile, then what the profile cannot say: what identity matching and the link worker need. Pure.
 */

/** Longest client identifier (`system|value`) kept as the retry key. */
export const MAX_CLIENT_KEY = 400;

export type ReadResult =
  | { ok: true; referral: AgencyReferral; clientKey: string }
  | { ok: false; issues: OperationOutcomeIssue[] };

export interface AgencyOrganisation {
  name: string;
  odsCode?: string;
}

const SR = 'ServiceRequest';
const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
const ext = (exts: Extension[] | undefined, url: string) => exts?.find((e) => e.url === url);
const exts = (exts: Extension[] | undefined, url: string) => exts?.filter((e) => e.url === url) ?? [];
const conceptText = (c: CodeableConcept | undefined): string => text(c?.text) || text(c?.coding?.[0]?.display) || text(c?.coding?.[0]?.code);

export function readAgencyReferral(body: unknown, organisation: AgencyOrganisation, today: string): ReadResult {
  if (!body || typeof body !== 'object' || (body as Resource).resourceType !== SR) {
    return { ok: false, issues: [issue(SR, 'The body must be a FHIR ServiceRequest (resourceType "ServiceRequest")', 'structure')] };
  }
  const sr = body as ServiceRequest;
  const issues = checkResourceAgainst(sr, PROFILE.agencyReferral).issue.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  const contained = sr.contained ?? [];
  const at = (id: string | undefined) => {
    const i = id?.startsWith('#') ? contained.findIndex((r) => r.id === id.slice(1)) : -1;
    return i >= 0 ? { index: i, resource: contained[i]! } : undefined;
  };

  // The retry key: the agency's own identifier of this referral.
  const ident = sr.identifier?.[0];
  const clientKey = ident?.system && ident.value ? `${ident.system}|${ident.value}` : undefined;
  if (clientKey && clientKey.length > MAX_CLIENT_KEY) issues.push(issue(`${SR}.identifier[0]`, `The identifier must be ${MAX_CLIENT_KEY} characters or fewer (system and value)`));

  // The person, as the agency knows them.
  const subject = at(sr.subject?.reference);
  let person: AgencyReferral['person'] | undefined;
  let phone: string | undefined;
  let email: string | undefined;
  let language: string | undefined;
  if (sr.subject?.reference && (!subject || subject.resource.resourceType !== 'Patient')) {
    issues.push(issue(`${SR}.subject.reference`, 'The subject must name a Patient contained in the ServiceRequest (for example "#patient")'));
  } else if (subject) {
    const p = subject.resource as Patient;
    const path = `${SR}.contained[${subject.index}]`;
    const name = p.name?.find((n) => n.use === 'official') ?? p.name?.[0];
    const given = text(name?.given?.[0]);
    const family = text(name?.family);
    if (!given) issues.push(issue(`${path}.name[0].given`, 'The person’s given name is required (to find their GP record)', 'required'));
    else if (given.length > MAX.name) issues.push(issue(`${path}.name[0].given`, `The given name must be ${MAX.name} characters or fewer`));
    if (!family) issues.push(issue(`${path}.name[0].family`, 'The person’s family name is required (to find their GP record)', 'required'));
    else if (family.length > MAX.name) issues.push(issue(`${path}.name[0].family`, `The family name must be ${MAX.name} characters or fewer`));
    const birthDate = p.birthDate ? fullDate(p.birthDate) : undefined;
    if (!p.birthDate) issues.push(issue(`${path}.birthDate`, 'The person’s date of birth is required (to find their GP record)', 'required'));
    else if (!birthDate) issues.push(issue(`${path}.birthDate`, 'The date of birth must be a full date, YYYY-MM-DD'));
    else if (birthDate > today || birthDate < '1900-01-01') issues.push(issue(`${path}.birthDate`, 'The date of birth must be a real date in the past'));
    const homeIndex = Math.max(0, p.address?.findIndex((a) => a.use === 'home') ?? 0);
    const postcode = text(p.address?.[homeIndex]?.postalCode);
    const pcKey = postcodeKey(postcode);
    if (!postcode) issues.push(issue(`${path}.address[${homeIndex}].postalCode`, 'The person’s home postcode is required (to find their GP record)', 'required'));
    else if (!pcKey || postcode.length > MAX.postcode || !UK_POSTCODE.test(pcKey)) issues.push(issue(`${path}.address[${homeIndex}].postalCode`, 'The postcode must be a UK postcode, for example LS1 4AP'));
    const nhsIndex = p.identifier?.findIndex((i) => i.system === IDENTIFIER_SYSTEM.nhsNumber) ?? -1;
    const nhsRaw = text(nhsIndex >= 0 ? p.identifier![nhsIndex]!.value : sr.subject?.identifier?.system === IDENTIFIER_SYSTEM.nhsNumber ? sr.subject.identifier.value : '');
    if (nhsRaw && !nhsNumberIsValid(nhsRaw)) {
      issues.push(issue(nhsIndex >= 0 ? `${path}.identifier[${nhsIndex}].value` : `${SR}.subject.identifier.value`, 'The NHS number is not valid (10 digits with a correct check digit)'));
    }
    ({ phone, email } = contactOf(p.telecom ?? [], `${path}.telecom`, issues));
    if (!phone && !email) issues.push(issue(`${path}.telecom`, 'A phone number or an email address of the person is required, so the link worker can contact them', 'required'));
    language = text(p.communication?.find((c) => c.preferred)?.language?.text ?? p.communication?.[0]?.language?.text) || undefined;
    if (given && family && birthDate && pcKey) {
      person = { given, family, birthDate, postcode: formatPostcode(postcode), ...(nhsRaw && nhsNumberIsValid(nhsRaw) ? { nhsNumber: normaliseNhsNumber(nhsRaw) } : {}) };
    }
  }

  // The professional who made the referral (the organisation is the registered client's, never taken from the body).
  const req = at(sr.requester?.reference);
  let referrer: AgencyReferral['referrer'] | undefined;
  const rolePath = req ? `${SR}.contained[${req.index}]` : `${SR}.requester`;
  if (sr.requester && !req && !text(sr.requester.display)) {
    issues.push(issue(`${SR}.requester`, 'The requester must be a contained PractitionerRole (or Practitioner) naming the professional, or carry their name in display'));
  } else if (sr.requester) {
    const r = req?.resource as PractitionerRole | Practitioner | undefined;
    const role = r?.resourceType === 'PractitionerRole' ? r : undefined;
    const practitioner = r?.resourceType === 'Practitioner' ? r : undefined;
    const name = text(role?.practitioner?.display) || humanName(practitioner) || text(sr.requester.display);
    if (!name) issues.push(issue(`${rolePath}.practitioner.display`, 'The name of the professional who made the referral is required', 'required'));
    else if (name.length > 120) issues.push(issue(`${rolePath}.practitioner.display`, 'The professional’s name must be 120 characters or fewer'));
    const roleText = (role?.code?.[0] ? conceptText(role.code[0]) : '').slice(0, 120);
    const contact = contactOf([...(role?.telecom ?? []), ...(practitioner?.telecom ?? [])], `${rolePath}.telecom`, issues);
    if (!contact.phone && !contact.email) issues.push(issue(`${rolePath}.telecom`, 'A work phone number or email address of the professional is required, so the link worker can reach them', 'required'));
    if (name) referrer = { name, role: roleText || 'Role not given', organisation, ...contact };
  }

  // Consent: the person agreed to the referral (the extension is required by the profile), and whether their GP may be told.
  const consent = ext(sr.extension, EXTENSION.consentGiven);
  const shareWithGp = ext(consent?.extension, EXTENSION_PART.consentGiven.shareWithGp)?.valueBoolean;
  if (consent && typeof shareWithGp !== 'boolean') {
    issues.push(issue(`${SR}.extension('${EXTENSION.consentGiven}').extension('shareWithGp')`, 'Say whether the person agreed that their GP is told (valueBoolean true or false)', 'required'));
  }

  const needs = needsOf(sr, issues);
  const other = sr.reasonCode?.find((c) => c.coding?.some((x) => x.system === CODE_SYSTEM.need && x.code === 'other'));
  const otherNeed = text(other?.text);
  if (other && (!otherNeed || otherNeed === NEEDS.find((n) => n.code === 'other')!.display)) issues.push(issue(`${SR}.reasonCode`, 'Say what the other need is, in reasonCode.text', 'required'));
  const whatMatters = (sr.note ?? []).map((n) => text(n.text)).filter(Boolean).join('\n');
  if (whatMatters.length > MAX.whatMatters) issues.push(issue(`${SR}.note`, `The notes must be ${MAX.whatMatters} characters or fewer in all`));
  const pref = contactPreferenceOf(ext(sr.extension, EXTENSION.contactPreference), phone, email, issues);
  const accessibility = accessibilityOf(sr, language, issues);
  const safeguarding = ext(sr.extension, EXTENSION.safeguardingConcern);
  const concern = ext(safeguarding?.extension, EXTENSION_PART.safeguardingConcern.flag)?.valueBoolean === true;
  const concernDetail = text(ext(safeguarding?.extension, EXTENSION_PART.safeguardingConcern.detail)?.valueString);
  if (concern && !concernDetail) issues.push(issue(`${SR}.extension('${EXTENSION.safeguardingConcern}').extension('detail')`, 'Describe the safeguarding concern', 'required'));
  const urgency = ext(sr.extension, EXTENSION.referralUrgency)?.valueCode as UrgencyCode | undefined;

  if (issues.length || !person || !referrer || !clientKey || typeof shareWithGp !== 'boolean' || !needs) return { ok: false, issues: issues.length ? issues : [issue(SR, 'The referral is incomplete')] };
  return {
    ok: true,
    clientKey,
    referral: {
      person,
      contact: { ...(phone ? { phone } : {}), ...(email ? { email } : {}), ...pref },
      needs,
      ...(otherNeed && needs.includes('other') ? { otherNeed: otherNeed.slice(0, MAX.otherNeed) } : {}),
      ...(whatMatters ? { whatMatters } : {}),
      consent: { service: true, gp: shareWithGp },
      accessibility,
      referrer,
      verified: true,
      ...(urgency && URGENCIES.some((u) => u.code === urgency) ? { urgency } : {}),
      ...(concern ? { safeguarding: { concern: true, detail: concernDetail.slice(0, 1000) } } : {}),
    },
  };
}

function humanName(p: Practitioner | undefined): string {
  const n = p?.name?.[0];
  return text(n?.text) || [text(n?.given?.[0]), text(n?.family)].filter(Boolean).join(' ');
}

/** The first usable phone and email of a telecom list; a malformed one is named. */
function contactOf(telecom: ContactPoint[], path: string, issues: OperationOutcomeIssue[]): { phone?: string; email?: string } {
  let phone: string | undefined;
  let email: string | undefined;
  telecom.forEach((t, i) => {
    const v = text(t.value);
    if (t.system === 'phone' || t.system === 'sms') {
      if (!PHONE.test(v)) issues.push(issue(`${path}[${i}].value`, 'The phone number must be 10 to 20 digits, spaces, brackets or dashes'));
      else phone ??= v;
    } else if (t.system === 'email') {
      if (v.length > MAX.email || !EMAIL.safeParse(v).success) issues.push(issue(`${path}[${i}].value`, 'The email address is not valid'));
      else email ??= v;
    }
  });
  return { ...(phone ? { phone } : {}), ...(email ? { email } : {}) };
}

function needsOf(sr: ServiceRequest, issues: OperationOutcomeIssue[]): NeedCode[] | undefined {
  const codes = (sr.reasonCode ?? []).flatMap((c) => c.coding?.filter((x) => x.system === CODE_SYSTEM.need).map((x) => x.code) ?? []);
  const known = [...new Set(codes.filter((c): c is NeedCode => NEEDS.some((n) => n.code === c)))];
  if (sr.reasonCode?.length && known.length === 0) issues.push(issue(`${SR}.reasonCode`, `At least one need must be coded in ${CODE_SYSTEM.need}`, 'required'));
  return known.length ? known : undefined;
}

function contactPreferenceOf(e: Extension | undefined, phone: string | undefined, email: string | undefined, issues: OperationOutcomeIssue[]): Pick<AgencyReferral['contact'], 'methods' | 'safeTimes' | 'leaveMessage'> {
  const P = EXTENSION_PART.contactPreference;
  const methods = exts(e?.extension, P.method).map((m) => m.valueCode).filter((c): c is ContactMethodCode => CONTACT_METHODS.some((x) => x.code === c));
  const safeTimes = text(ext(e?.extension, P.safeTimes)?.valueString);
  if (safeTimes.length > MAX.safeTimes) issues.push(issue(`${SR}.extension('${EXTENSION.contactPreference}').extension('safeTimes')`, `Safe times must be ${MAX.safeTimes} characters or fewer`));
  const fallback: ContactMethodCode[] = [...(phone ? (['phone'] as const) : []), ...(email ? (['email'] as const) : [])];
  return { methods: methods.length ? [...new Set(methods)] : fallback, ...(safeTimes ? { safeTimes } : {}), leaveMessage: ext(e?.extension, P.leaveMessage)?.valueBoolean === true };
}

function accessibilityOf(sr: ServiceRequest, patientLanguage: string | undefined, issues: OperationOutcomeIssue[]): AgencyReferral['accessibility'] {
  const P = EXTENSION_PART.accessibilityNeed;
  const needs: AccessibilityNeedCode[] = [];
  let language = patientLanguage;
  const details: string[] = [];
  for (const e of exts(sr.extension, EXTENSION.accessibilityNeed)) {
    const code = ext(e.extension, P.type)?.valueCoding?.code;
    if (ACCESSIBILITY_NEEDS.some((n) => n.code === code)) needs.push(code as AccessibilityNeedCode);
    language = conceptText(ext(e.extension, P.language)?.valueCodeableConcept) || language;
    const d = text(ext(e.extension, P.detail)?.valueString);
    if (d) details.push(d);
  }
  const detail = details.join('\n');
  if (detail.length > MAX.accessDetail) issues.push(issue(`${SR}.extension('${EXTENSION.accessibilityNeed}')`, `Accessibility details must be ${MAX.accessDetail} characters or fewer in all`));
  if (language && language.length > MAX.language) issues.push(issue(`${SR}.extension('${EXTENSION.accessibilityNeed}').extension('language')`, `The language must be ${MAX.language} characters or fewer`));
  return { needs: [...new Set(needs)], ...(language ? { language } : {}), ...(detail ? { detail } : {}) };
}
