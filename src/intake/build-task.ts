import type { ContactPoint, Organization, Patient, PractitionerRole, Reference, Task } from '@medplum/fhirtypes';
import { EXTENSION, EXTENSION_PART, IDENTIFIER_SYSTEM } from '../referral-model/codes.js';
import { CONTAINED_REFERRAL_FOCUS } from '../referral-model/referral-source.js';
import type { OwnerReference } from '../referral-model/referral-routes.js';
import { buildServiceRequest } from '../referrals/build-service-request.js';
import { CONTAINED, referralTaskBase } from '../referrals/build-task.js';
import type { ReferralInput } from '../referrals/referral-input.js';
import { isAgencyReferral, referrerDisplay, type AgencyReferral } from './agency-referral.js';
import type { SelfReferral } from './self-referral-input.js';

/**
 * The link-worker Task for a referral that does not come from a GP (SPLinkReferralTask with the referral-source
 * extension), built by the one Task builder every source shares (`referralTaskBase`). Like the GP's, it carries a
 * contained copy of the referral and the person's details, so the link worker can work it from the Task alone. Pure.
 *
 * - `for`: the registered patient by NHS number when identity matching found one confidently; otherwise the
 *   contained Patient, made of what the person told us (never linked to a record on a guess).
 * - `focus`: the GP record's ServiceRequest when the GP holds the referral, otherwise the contained copy
 *   (`#referral`), which the reconciler leaves alone because no GP record waits for news of it.
 * - `requester`: who made the referral: the person (self), or the agency's professional (a contained PractitionerRole
 *   with their contained Organization, marked unverified when it came through the anonymous agency form).
 */

export interface CommunityTaskContext {
  referralId: string;
  identifierSystem: string;
  now: Date;
  owner: OwnerReference;
  /** The registered patient identity matching linked, with the record's NHS number. */
  matched?: { patientId: string; nhsNumber?: string };
  /** The GP record's ServiceRequest (absolute URL) when the GP holds the referral; otherwise the contained copy. */
  focus?: string;
}

const display = (p: SelfReferral['person']) => `${p.given} ${p.family}`;

/** The person as they described themselves (PRSB person demographics): what the link worker needs to make contact. */
export function describedPatient(r: SelfReferral, nhsNumber: string | undefined): Patient {
  const telecom: ContactPoint[] = [
    ...(r.contact.phone ? [{ system: 'phone' as const, value: r.contact.phone }] : []),
    ...(r.contact.email ? [{ system: 'email' as const, value: r.contact.email }] : []),
  ];
  return {
    resourceType: 'Patient',
    id: CONTAINED.patient,
    ...(nhsNumber ? { identifier: [{ system: IDENTIFIER_SYSTEM.nhsNumber, value: nhsNumber }] } : {}),
    name: [{ use: 'official', family: r.person.family, given: [r.person.given] }],
    birthDate: r.person.birthDate,
    ...(telecom.length ? { telecom } : {}),
    address: [{ use: 'home', postalCode: r.person.postcode }],
    ...(r.accessibility.language ? { communication: [{ language: { text: r.accessibility.language }, preferred: true }] } : {}),
  };
}

/** The self-referral in the terms of the referral builders (the same coded needs, consent, contact and access). */
export function asReferralInput(r: SelfReferral | AgencyReferral, now: Date, patientId: string): ReferralInput {
  const agency = isAgencyReferral(r) ? r : undefined;
  return {
    patientId,
    needs: r.needs,
    ...(r.otherNeed ? { otherNeed: r.otherNeed } : {}),
    ...(r.whatMatters ? { whatMatters: r.whatMatters } : {}),
    urgency: agency?.urgency ?? 'routine',
    consent: { given: true, date: now.toISOString().slice(0, 10) },
    contact: { methods: r.contact.methods, ...(r.contact.safeTimes ? { safeTimes: r.contact.safeTimes } : {}), leaveMessage: r.contact.leaveMessage },
    accessibility: { needs: r.accessibility.needs, ...(r.accessibility.language ? { language: r.accessibility.language } : {}), ...(r.accessibility.detail ? { detail: r.accessibility.detail } : {}) },
    safeguarding: agency?.safeguarding ?? { concern: false },
    service: { kind: 'link-worker-decides' },
  };
}

/** Local ids of an agency referrer's resources, contained in the Task beside the person and the referral. */
export const AGENCY_CONTAINED = { referrer: 'referrer', organisation: 'agency' } as const;

/** The agency's professional (PractitionerRole) and their organisation (ODS code where it has one), as told to us. */
export function referrerResources(r: AgencyReferral): [PractitionerRole, Organization] {
  const { referrer } = r;
  const telecom: ContactPoint[] = [
    ...(referrer.phone ? [{ system: 'phone' as const, value: referrer.phone, use: 'work' as const }] : []),
    ...(referrer.email ? [{ system: 'email' as const, value: referrer.email, use: 'work' as const }] : []),
  ];
  const ods = referrer.organisation.odsCode;
  return [
    {
      resourceType: 'PractitionerRole',
      id: AGENCY_CONTAINED.referrer,
      practitioner: { display: referrer.name },
      organization: { reference: `#${AGENCY_CONTAINED.organisation}`, display: referrer.organisation.name },
      code: [{ text: referrer.role }],
      ...(telecom.length ? { telecom } : {}),
    },
    {
      resourceType: 'Organization',
      id: AGENCY_CONTAINED.organisation,
      ...(ods ? { identifier: [{ system: IDENTIFIER_SYSTEM.odsOrganisation, value: ods }] } : {}),
      name: referrer.organisation.name,
    },
  ];
}

export function buildCommunityTask(r: SelfReferral | AgencyReferral, ctx: CommunityTaskContext): Task {
  const nhs = ctx.matched?.nhsNumber;
  const agency = isAgencyReferral(r) ? r : undefined;
  const requester: Reference = agency
    ? { reference: `#${AGENCY_CONTAINED.referrer}`, display: referrerDisplay(agency) }
    : { reference: `#${CONTAINED.patient}`, display: `${display(r.person)} (self-referral)` };
  const copy = buildServiceRequest(asReferralInput(r, ctx.now, CONTAINED.patient), {
    referralId: ctx.referralId,
    identifierSystem: ctx.identifierSystem,
    now: ctx.now,
    ehrBase: '',
    patient: { id: CONTAINED.patient, ...(nhs ? { nhsNumber: nhs } : {}) },
    requester: { reference: requester.reference!, display: requester.display! },
    service: { kind: 'link-worker-decides', performer: ctx.owner, owner: ctx.owner, serviceType: 'link-worker' },
  });
  // The consent's scope: the person agreed to the link-worker service seeing this, and said whether their GP may.
  copy.extension?.find((e) => e.url === EXTENSION.consentGiven)?.extension?.push({ url: EXTENSION_PART.consentGiven.shareWithGp, valueBoolean: r.consent.gp });
  copy.subject = { reference: `#${CONTAINED.patient}`, ...(nhs ? { identifier: { system: IDENTIFIER_SYSTEM.nhsNumber, value: nhs } } : {}) };
  if (r.person.nhsNumber && !nhs) {
    // What the person typed is kept for the link worker, never used as an identifier: no record confirmed it.
    copy.note = [...(copy.note ?? []), { time: ctx.now.toISOString(), text: `NHS number given (not confirmed by a GP record): ${r.person.nhsNumber}` }];
  }
  return referralTaskBase({
    referralId: ctx.referralId,
    identifierSystem: ctx.identifierSystem,
    now: ctx.now,
    patient: describedPatient(r, nhs),
    referral: copy,
    focus: ctx.focus ?? CONTAINED_REFERRAL_FOCUS,
    for: nhs
      ? { identifier: { system: IDENTIFIER_SYSTEM.nhsNumber, value: nhs }, display: display(r.person) }
      : { reference: `#${CONTAINED.patient}`, display: display(r.person) },
    requester,
    ...(agency ? { containedExtra: referrerResources(agency) } : {}),
    owner: ctx.owner,
    source: agency ? 'agency' : 'self',
    ...(agency ? { referrerVerified: agency.verified } : {}),
  });
}
