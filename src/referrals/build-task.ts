import type { Patient, Practitioner, Reference, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { BUSINESS_STATUSES, CODE_SYSTEM, EXTENSION, IDENTIFIER_SYSTEM, PRSB_SECTIONS, PROFILE } from '../referral-model/codes.js';
import { REFERRAL_SOURCE_EXTENSION, REFERRER_VERIFIED_EXTENSION, type ReferralSource } from '../referral-model/referral-source.js';
import type { OwnerReference } from '../referral-model/referral-routes.js';
import { buildServiceRequest } from './build-service-request.js';
import type { ReferralInput } from './referral-input.js';
import type { ReferralContext } from './types.js';

export const TASK_CODE_SYSTEM = 'http://hl7.org/fhir/CodeSystem/task-code';
/** Local ids of the resources contained in the Task. */
export const CONTAINED = { patient: 'patient', referral: 'referral' } as const;

/**
 * Demographics the link worker needs to make contact (PRSB "person demographics"): identity, contact
 * routes, language. Clinical content of the EHR's Patient (links, GP, extensions) stays behind.
 */
export function patientCopy(p: Patient | undefined, nhsNumber: string): Patient {
  return {
    resourceType: 'Patient',
    id: CONTAINED.patient,
    identifier: [{ system: IDENTIFIER_SYSTEM.nhsNumber, value: nhsNumber }],
    ...(p?.name ? { name: p.name } : {}),
    ...(p?.gender ? { gender: p.gender } : {}),
    ...(p?.birthDate ? { birthDate: p.birthDate } : {}),
    ...(p?.telecom ? { telecom: p.telecom } : {}),
    ...(p?.address ? { address: p.address } : {}),
    ...(p?.communication ? { communication: p.communication } : {}),
  };
}

function absolute(ref: string, base: string): string {
  return /^(https?:|urn:|#)/.test(ref) ? ref : `${base}/${ref}`;
}

/** What differs between the sources of a referral; `referralTaskBase` builds the rest the same way for every one. */
export interface ReferralTaskParts {
  referralId: string;
  /** Identifier system of SP Link referral ids (the Task's focus identifier). */
  identifierSystem: string;
  now: Date;
  /** The person's demographics, contained as `#patient` (PRSB person demographics). */
  patient: Patient;
  /** The copy of the referral, contained as `#referral`; its own profile claim is dropped (it is a copy). */
  referral: ServiceRequest;
  /** The referral the Task fulfils: the GP record's ServiceRequest (absolute URL or `urn:uuid`), or `#referral`. */
  focus: string;
  /** The person: by NHS number when a GP record confirms it, otherwise the contained Patient. */
  for: Reference;
  /** Who made the referral: the GP (absolute), the person (`#patient`), or the agency's professional (contained). */
  requester: Reference;
  /** Other resources the requester points at (an agency's Organization and PractitionerRole). */
  containedExtra?: Resource[];
  owner: OwnerReference;
  /** Where the referral came from; absent for a GP's (a Task without the extension came from a GP). */
  source?: Exclude<ReferralSource, 'gp'>;
  /** An agency referral: whether SP Link knows who sent it (a registered agency system) or took it on trust (the public form). */
  referrerVerified?: boolean;
}

/**
 * The link-worker Task (SPLinkReferralTask; HL7 Gravity "Task for referral management") for a referral from any
 * source: one definition of its identifier, status, code, focus, contained copy and PRSB section, so the caseload,
 * the reconciler and the GP app read every referral alike. Pure.
 */
export function referralTaskBase(p: ReferralTaskParts): Task {
  const copy: ServiceRequest = { ...p.referral, id: CONTAINED.referral };
  delete copy.meta;
  const now = p.now.toISOString();
  const awaiting = BUSINESS_STATUSES.find((b) => b.code === 'awaiting-contact')!;
  const section = PRSB_SECTIONS.find((s) => s.code === 'referral-details')!;
  return {
    resourceType: 'Task',
    meta: { profile: [PROFILE.referralTask] },
    ...(p.source
      ? { extension: [{ url: REFERRAL_SOURCE_EXTENSION, valueCode: p.source }, ...(p.referrerVerified !== undefined ? [{ url: REFERRER_VERIFIED_EXTENSION, valueBoolean: p.referrerVerified }] : [])] }
      : {}),
    contained: [{ ...p.patient, id: CONTAINED.patient }, copy, ...(p.containedExtra ?? [])],
    identifier: [{ system: IDENTIFIER_SYSTEM.referralTask, value: p.referralId }],
    status: 'requested',
    businessStatus: { coding: [{ system: CODE_SYSTEM.businessStatus, code: awaiting.code, display: awaiting.display }] },
    intent: 'order',
    priority: copy.priority,
    code: { coding: [{ system: TASK_CODE_SYSTEM, code: 'fulfill', display: 'Fulfill the focal request' }] },
    focus: { reference: p.focus, type: 'ServiceRequest', identifier: { system: p.identifierSystem, value: p.referralId } },
    for: p.for,
    authoredOn: now,
    lastModified: now,
    requester: p.requester as Task['requester'],
    owner: p.owner,
    input: [
      {
        type: { coding: [{ system: CODE_SYSTEM.prsbSection, code: section.code, display: section.display }] },
        valueReference: { reference: `#${CONTAINED.referral}` },
      },
    ],
  };
}

/**
 * The link-worker Task of a GP's referral: `focus` is the referral in the GP record, `for` the person by NHS number.
 * A copy of the referral and the person's demographics travel contained, because a link-worker system usually
 * cannot read the GP record. `focusReference` is the SR's absolute URL, or its `urn:uuid` when SR and Task share one
 * transaction.
 */
export function buildReferralTask(input: ReferralInput, ctx: ReferralContext, focusReference: string): Task {
  const nhs = ctx.patient.nhsNumber;
  if (!nhs) throw new TypeError('a referral Task needs the patient NHS number');
  const requester = { reference: absolute(ctx.requester.reference, ctx.ehrBase), display: ctx.requester.display };
  const referral = buildServiceRequest(input, { ...ctx, requester });
  // Equality monitoring answers are for the practice's record and the reports, not the link worker's case.
  referral.extension = referral.extension?.filter((e) => e.url !== EXTENSION.equalityMonitoring);
  return referralTaskBase({
    referralId: ctx.referralId,
    identifierSystem: ctx.identifierSystem,
    now: ctx.now,
    patient: patientCopy(ctx.patient.resource, nhs),
    referral: {
      ...referral,
      subject: { reference: `#${CONTAINED.patient}`, identifier: { system: IDENTIFIER_SYSTEM.nhsNumber, value: nhs } },
    },
    focus: focusReference,
    for: { identifier: { system: IDENTIFIER_SYSTEM.nhsNumber, value: nhs } },
    requester: requester as Reference<Practitioner>,
    owner: ctx.service.owner,
  });
}
