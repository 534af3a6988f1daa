import type { Patient, ServiceRequest, Task } from '@medplum/fhirtypes';
import { FhirClient } from '../../../src/fhir/client.js';
import { IDENTIFIER_SYSTEM } from '../../../src/referral-model/codes.js';
import { validateForWrite } from '../../../src/fhir/validate/index.js';
import { buildServiceRequest } from '../../../src/referrals/build-service-request.js';
import { buildReferralTask } from '../../../src/referrals/build-task.js';
import { newReferralId } from '../../../src/referrals/referral-id.js';
import { referralInputSchema } from '../../../src/referrals/referral-input.js';
import type { ReferralContext } from '../../../src/referrals/types.js';
import { DEMO_IDS, ODS, patientId } from '../../../src/sandbox/demo/index.js';

/**
 * Makes a referral the way the GP app does (src/referrals builders): the ServiceRequest in the EHR,
 * and the Task at the link-worker endpoint with the referral and demographics contained.
 */
export async function makeGpReferral(urls: { ehr: string; lw: string }, patientN = 3): Promise<{ task: Task; serviceRequest: ServiceRequest }> {
  const ehr = new FhirClient({ baseUrl: urls.ehr, validate: validateForWrite });
  const lw = new FhirClient({ baseUrl: urls.lw, validate: validateForWrite });
  const patient = await ehr.read<Patient>('Patient', patientId(patientN));
  const nhsNumber = patient.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM.nhsNumber)?.value;
  const input = referralInputSchema.parse({
    patientId: patient.id,
    needs: ['loneliness', 'mental-wellbeing'],
    whatMatters: 'Getting out of the house and meeting people again',
    urgency: 'routine',
    consent: { given: true, date: new Date().toISOString().slice(0, 10) },
    contact: { methods: ['phone', 'sms'], safeTimes: 'Weekday mornings before 11', leaveMessage: true },
    accessibility: { needs: ['large-print'] },
    safeguarding: { concern: false },
    service: { kind: 'link-worker-decides' },
  });
  const ctx: ReferralContext = {
    referralId: newReferralId(),
    identifierSystem: IDENTIFIER_SYSTEM.referral,
    now: new Date(),
    ehrBase: urls.ehr,
    patient: { id: patient.id!, nhsNumber, resource: patient },
    requester: { reference: 'Practitioner/gp-1', display: 'Dr GP One' },
    service: {
      kind: 'link-worker-decides',
      serviceType: 'link-worker',
      performer: { reference: `${urls.lw}/Organization/${DEMO_IDS.linkWorkerOrg}`, display: 'Fernbridge Community Connect' },
      owner: { reference: `Organization/${DEMO_IDS.linkWorkerOrg}`, identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: ODS.linkWorkerService } },
    },
  };
  const sr = (await ehr.create(buildServiceRequest(input, ctx))).resource as ServiceRequest;
  const task = (await lw.create(buildReferralTask(input, ctx, `${urls.ehr}/ServiceRequest/${sr.id}`))).resource as Task;
  return { task, serviceRequest: sr };
}
