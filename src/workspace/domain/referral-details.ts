import type { Extension, HumanName, Patient, ServiceRequest, Task } from '@medplum/fhirtypes';
import { isServiceReference, suggestedService } from '../../referral-model/referral-routes.js';
import { CODE_SYSTEM, EXTENSION, EXTENSION_PART, IDENTIFIER_SYSTEM, displayOf, priorityToUrgency } from '../../referral-model/codes.js';
import { readNeedsChange, type NeedsChange } from '../../referral-model/needs-change.js';
import { referralSourceLabelOf, referralSourceOf, type ReferralSource } from '../../referral-model/referral-source.js';

/**
 * The referral as the link worker reads it. Source: the copy of the referral and the person's
 * demographics the GP app puts in the Task (`contained`, pointed at by Task.input "referral-details"),
 * because a link-worker service usually cannot read the GP record. Reading the Task is then enough
 * for a case page: one FHIR read, no dependency on the EHR being reachable.
 */
export interface ReferralDetails {
  patient: {
    name?: string;
    nhsNumber?: string;
    birthDate?: string;
    gender?: string;
    phones: string[];
    emails: string[];
    address?: string;
    language?: string;
  };
  service?: string;
  /**
   * The directory service the GP chose: `suggested` when the referral came to the link-worker service with it as
   * the GP's suggestion (supportingInfo), otherwise the service the referral was sent to direct (performer).
   */
  gpChoice?: { name: string; suggested: boolean };
  urgency: string;
  authoredOn?: string;
  /** Who made the referral: the GP, the person themselves, or an agency. */
  source: ReferralSource;
  /** The source as shown ("Agency (unverified)" for an agency nobody verified). */
  sourceLabel: string;
  requester?: string;
  needs: string[];
  notes: string[];
  /** `shareWithGp`: the consent's scope, when the referral says (referrals not from the GP). */
  consent?: { date?: string; recorder?: string; shareWithGp?: boolean };
  contact?: { methods: string[]; safeTimes?: string; leaveMessage?: boolean };
  accessibility: { type: string; language?: string; detail?: string }[];
  safeguarding?: { flag: boolean; detail?: string };
  /** Need codes of the referral as sent (for the "change needs" form). */
  needCodes: string[];
  /** The needs as the link worker found them, and why, when they changed after referral. */
  needsChange?: NeedsChange;
}

const part = (e: Extension | undefined, url: string) => e?.extension?.filter((x) => x.url === url) ?? [];

export function formatName(names: HumanName[] | undefined): string | undefined {
  const n = names?.find((x) => x.use === 'official') ?? names?.[0];
  if (!n) return undefined;
  return n.text ?? [...(n.prefix ?? []), ...(n.given ?? []), n.family].filter(Boolean).join(' ');
}

function containedById<T extends Patient | ServiceRequest>(task: Task, ref: string | undefined, type: T['resourceType']): T | undefined {
  if (!ref?.startsWith('#')) return undefined;
  return task.contained?.find((r) => r.resourceType === type && r.id === ref.slice(1)) as T | undefined;
}

/** The contained referral copy (Task.input referral-details, else the first contained ServiceRequest). */
export function referralCopy(task: Task): ServiceRequest | undefined {
  const input = task.input?.find((i) => i.type.coding?.some((c) => c.system === CODE_SYSTEM.prsbSection && c.code === 'referral-details'));
  return containedById<ServiceRequest>(task, input?.valueReference?.reference, 'ServiceRequest') ??
    (task.contained?.find((r) => r.resourceType === 'ServiceRequest') as ServiceRequest | undefined);
}

export function patientCopy(task: Task, sr?: ServiceRequest): Patient | undefined {
  return containedById<Patient>(task, sr?.subject?.reference, 'Patient') ?? (task.contained?.find((r) => r.resourceType === 'Patient') as Patient | undefined);
}

/** Need codes of the referral as the GP sent it (the referral copy's reasonCode). */
export function referralNeedCodes(task: Task): string[] {
  return (referralCopy(task)?.reasonCode ?? []).flatMap((r) => r.coding?.filter((c) => c.system === CODE_SYSTEM.need && c.code).map((c) => c.code!) ?? []);
}

export function patientName(task: Task): string | undefined {
  return formatName(patientCopy(task, referralCopy(task))?.name) ?? task.for?.display;
}

/**
 * The name a caseload row shows: the Task's own copy, else the name the link-worker server gave for the Patient
 * reference (`names`, read once per page), else "Name not given".
 */
export function caseName(task: Task, names?: ReadonlyMap<string, string>): string {
  return patientName(task) ?? (task.for?.reference ? names?.get(task.for.reference) : undefined) ?? 'Name not given';
}

function gpChoice(sr: ServiceRequest | undefined): ReferralDetails['gpChoice'] {
  const suggestion = suggestedService(sr);
  if (suggestion?.display) return { name: suggestion.display, suggested: true };
  const chosen = sr?.performer?.find(isServiceReference);
  return chosen?.display ? { name: chosen.display, suggested: false } : undefined;
}

/** `fallbackPatient`: the GP record's Patient, used when the Task carries no demographics. */
export function readReferral(task: Task, fallbackPatient?: Patient): ReferralDetails {
  const sr = referralCopy(task);
  const p = patientCopy(task, sr) ?? fallbackPatient;
  const ext = (url: string) => sr?.extension?.filter((e) => e.url === url) ?? [];
  const consent = ext(EXTENSION.consentGiven)[0];
  const contact = ext(EXTENSION.contactPreference)[0];
  const sg = ext(EXTENSION.safeguardingConcern)[0];
  const addr = p?.address?.[0];
  const C = EXTENSION_PART.contactPreference;
  const A = EXTENSION_PART.accessibilityNeed;
  const S = EXTENSION_PART.safeguardingConcern;
  const needsChange = readNeedsChange(task);
  return {
    patient: {
      name: formatName(p?.name) ?? task.for?.display,
      nhsNumber: (task.for?.identifier?.system === IDENTIFIER_SYSTEM.nhsNumber ? task.for.identifier.value : undefined) ??
        p?.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM.nhsNumber)?.value,
      birthDate: p?.birthDate,
      gender: p?.gender,
      phones: p?.telecom?.filter((t) => t.system === 'phone' || t.system === 'sms').flatMap((t) => (t.value ? [t.value] : [])) ?? [],
      emails: p?.telecom?.filter((t) => t.system === 'email').flatMap((t) => (t.value ? [t.value] : [])) ?? [],
      address: addr ? (addr.text ?? [...(addr.line ?? []), addr.city, addr.postalCode].filter(Boolean).join(', ')) : undefined,
      language: p?.communication?.[0]?.language?.text ?? p?.communication?.[0]?.language?.coding?.[0]?.display ?? p?.communication?.[0]?.language?.coding?.[0]?.code,
    },
    service: sr?.code?.text ?? sr?.code?.coding?.[0]?.display,
    ...(gpChoice(sr) ? { gpChoice: gpChoice(sr)! } : {}),
    urgency: displayOf('urgency', priorityToUrgency(sr?.priority ?? task.priority)) ?? 'Routine',
    authoredOn: sr?.authoredOn ?? task.authoredOn,
    source: referralSourceOf(task),
    sourceLabel: referralSourceLabelOf(task),
    requester: sr?.requester?.display ?? task.requester?.display,
    needs: sr?.reasonCode?.map((r) => r.text ?? r.coding?.[0]?.display ?? r.coding?.[0]?.code ?? '').filter(Boolean) ?? [],
    notes: sr?.note?.map((n) => n.text) ?? [],
    consent: consent
      ? {
          date: part(consent, EXTENSION_PART.consentGiven.date)[0]?.valueDateTime,
          recorder: part(consent, EXTENSION_PART.consentGiven.recorder)[0]?.valueReference?.display,
          shareWithGp: part(consent, EXTENSION_PART.consentGiven.shareWithGp)[0]?.valueBoolean,
        }
      : undefined,
    contact: contact
      ? {
          methods: part(contact, C.method).map((m) => displayOf('contactMethod', m.valueCode ?? '') ?? m.valueCode ?? ''),
          safeTimes: part(contact, C.safeTimes)[0]?.valueString,
          leaveMessage: part(contact, C.leaveMessage)[0]?.valueBoolean,
        }
      : undefined,
    accessibility: ext(EXTENSION.accessibilityNeed).map((e) => {
      const typePart = part(e, A.type)[0];
      const type = typePart?.valueCode ?? typePart?.valueCoding?.code ?? 'other';
      const lang = part(e, A.language)[0]?.valueCodeableConcept;
      return { type: displayOf('accessibilityNeed', type) ?? type, language: lang?.text ?? lang?.coding?.[0]?.code, detail: part(e, A.detail)[0]?.valueString };
    }),
    safeguarding: sg ? { flag: part(sg, S.flag)[0]?.valueBoolean === true, detail: part(sg, S.detail)[0]?.valueString } : undefined,
    needCodes: referralNeedCodes(task),
    ...(needsChange ? { needsChange } : {}),
  };
}
