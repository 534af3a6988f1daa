import type { Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, IDENTIFIER_SYSTEM, PROFILE } from '../../../src/referral-model/codes.js';
import type { Actor } from '../../../src/workspace/domain/actor.js';
import type { ChangeContext } from '../../../src/workspace/domain/task-builders.js';

export const NOW = new Date('2026-11-24T10:00:00Z');
export const TODAY = '2026-11-24';

export const amira: Actor = { sub: 'amira', name: 'Amira Shah', practitioner: 'Practitioner/lw-amira', orgOds: 'DLW01', roles: ['link-worker'] };
export const manager: Actor = { sub: 'mo', name: 'Mo Reyes', practitioner: 'Practitioner/lw-manager', orgOds: 'DLW01', roles: ['service-manager'] };

export const LW_BASE = 'http://localhost:3000/sandbox/lw/fhir';
export const PATIENT_REF = 'http://localhost:3000/sandbox/ehr/fhir/Patient/pat-1';

export const ctx = (over: Partial<ChangeContext> = {}): ChangeContext => ({
  actor: amira, actorRole: 'PractitionerRole/lw-amira-role', now: NOW, maxContactAttempts: 3, patientReference: PATIENT_REF, linkWorkerBase: LW_BASE, ...over,
});

/** A referral Task as the GP app creates it (SPLinkReferralTask). */
export function referralTask(over: Partial<Task> = {}): Task {
  return {
    resourceType: 'Task',
    id: 'task-1',
    meta: { versionId: '1', profile: [PROFILE.referralTask] },
    identifier: [{ system: IDENTIFIER_SYSTEM.referralTask, value: 'SPL-AAAA-BBBB' }],
    status: 'requested',
    businessStatus: { coding: [{ system: CODE_SYSTEM.businessStatus, code: 'awaiting-contact' }] },
    intent: 'order',
    code: { coding: [{ system: 'http://hl7.org/fhir/CodeSystem/task-code', code: 'fulfill', display: 'Fulfill the focal request' }] },
    requester: { reference: 'http://localhost:3000/sandbox/ehr/fhir/Practitioner/gp-1', display: 'Dr Asha Patel' },
    focus: { reference: 'http://localhost:3000/sandbox/ehr/fhir/ServiceRequest/sr-1' },
    for: { identifier: { system: IDENTIFIER_SYSTEM.nhsNumber, value: '9434765919' } },
    owner: { identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: 'DLW01' } },
    authoredOn: '2026-11-20T09:00:00Z',
    lastModified: '2026-11-20T09:00:00Z',
    ...over,
  };
}
