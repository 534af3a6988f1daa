import type { Patient, Practitioner, Reference, ServiceRequest, Task } from '@medplum/fhirtypes';
import { BUSINESS_STATUSES, CODE_SYSTEM, IDENTIFIER_SYSTEM, PRSB_SECTIONS, PROFILE } from '../referral-model/codes.js';
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

/**
 * The link-worker Task (SPLinkReferralTask; HL7 Gravity "Task for referral management"): `focus` is the
 * referral in the GP record, `for` the person by NHS number. A copy of the referral and the person's
 * demographics travel contained, because a link-worker system usually cannot read the GP record.
 * `focusReference` is the SR's absolute URL, or its `urn:uuid` when SR and Task share one transaction.
 */
export function buildReferralTask(input: ReferralInput, ctx: ReferralContext, focusReference: string): Task {
  const nhs = ctx.patient.nhsNumber;
  if (!nhs) throw new TypeError('a referral Task needs the patient NHS number');
  const requester = { reference: absolute(ctx.requester.reference, ctx.ehrBase), display: ctx.requester.display };
  const copy: ServiceRequest = {
    ...buildServiceRequest(input, { ...ctx, requester }),
    id: CONTAINED.referral,
    subject: { reference: `#${CONTAINED.patient}`, identifier: { system: IDENTIFIER_SYSTEM.nhsNumber, value: nhs } },
  };
  delete copy.meta;
  const now = ctx.now.toISOString();
  const awaiting = BUSINESS_STATUSES.find((b) => b.code === 'awaiting-contact')!;
  const section = PRSB_SECTIONS.find((s) => s.code === 'referral-details')!;
  return {
    resourceType: 'Task',
    meta: { profile: [PROFILE.referralTask] },
    contained: [patientCopy(ctx.patient.resource, nhs), copy],
    identifier: [{ system: IDENTIFIER_SYSTEM.referralTask, value: ctx.referralId }],
    status: 'requested',
    businessStatus: { coding: [{ system: CODE_SYSTEM.businessStatus, code: awaiting.code, display: awaiting.display }] },
    intent: 'order',
    priority: copy.priority,
    code: { coding: [{ system: TASK_CODE_SYSTEM, code: 'fulfill', display: 'Fulfill the focal request' }] },
    focus: { reference: focusReference, type: 'ServiceRequest', identifier: { system: ctx.identifierSystem, value: ctx.referralId } },
    for: { identifier: { system: IDENTIFIER_SYSTEM.nhsNumber, value: nhs } },
    authoredOn: now,
    lastModified: now,
    requester: requester as Reference<Practitioner>,
    owner: ctx.service.owner,
    input: [
      {
        type: { coding: [{ system: CODE_SYSTEM.prsbSection, code: section.code, display: section.display }] },
        valueReference: { reference: `#${CONTAINED.referral}` },
      },
    ],
  };
}
